package dev.jseek.model;

import dev.jseek.gguf.GgufModelFiles;
import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.Tensor;

/**
 * A loaded model and its one forward pass: token embeddings, blocks of attention and
 * feed-forward on a residual stream, final norm and output head. Weights stay in the mapped
 * file. Tokens go through in batches of up to {@code maxBatch} (one weight read serves the whole
 * batch); decoding is a batch of one. One caller at a time; per-sequence state is the {@link KvCache}.
 */
public final class Model implements AutoCloseable {

    /** A transformer block: which attention and feed-forward it uses, and their norms. */
    record Block(float[] attentionNorm, Attention attention, float[] feedForwardNorm, FeedForward feedForward) {
    }

    private final GgufModelFiles file;
    private final ModelConfig config;
    private final MatMul matmul;
    private final Tensor tokenEmbedding;
    private final Block[] blocks;
    private final float[] outputNorm;
    private final Tensor output;
    private final int maxBatch;
    private final int contextCapacity;

    private final float[] x;
    private final float[] xn;
    private final float[] blockOut;
    /** Logits of a whole batch when they land at an offset of the caller's array; made on first use. */
    private float[] batchLogits;

    Model(GgufModelFiles file, ModelConfig config, MatMul matmul, Tensor tokenEmbedding, Block[] blocks, float[] outputNorm,
          Tensor output, int maxBatch, int contextCapacity) {
        this.file = file;
        this.config = config;
        this.matmul = matmul;
        this.tokenEmbedding = tokenEmbedding;
        this.blocks = blocks;
        this.outputNorm = outputNorm;
        this.output = output;
        this.maxBatch = maxBatch;
        this.contextCapacity = contextCapacity;
        int e = config.embeddingLength();
        this.x = new float[maxBatch * e];
        this.xn = new float[maxBatch * e];
        this.blockOut = new float[maxBatch * e];
    }

    public ModelConfig config() {
        return config;
    }

    /** The model's file (or the parts of a split model). */
    public GgufModelFiles file() {
        return file;
    }

    /** Positions a cache made by {@link #newCache} holds: the context size chosen at load. */
    public int contextCapacity() {
        return contextCapacity;
    }

    public KvCache newCache(KvCache.Type type) {
        return KvCache.create(type, config.layers(), contextCapacity, config.cacheKeyWidth(), config.cacheValueWidth());
    }

    /**
     * Runs {@code count} tokens of {@code tokens} from {@code offset}, at positions
     * {@code startPos..}, and writes logits: of every token ({@code allPositions}, [count][vocab])
     * or of the last one only ([vocab]).
     */
    public void forward(int[] tokens, int offset, int count, int startPos, KvCache cache, float[] logits, boolean allPositions) {
        if (count <= 0) {
            throw new IllegalArgumentException("nothing to evaluate");
        }
        if (startPos < 0 || startPos + count > cache.capacity()) {
            throw new ModelException("context is full: " + (startPos + count) + " positions needed, the context holds "
                    + cache.capacity() + " (raise -c)");
        }
        int vocab = config.vocabSize();
        for (int done = 0; done < count; done += maxBatch) {
            int batch = Math.min(maxBatch, count - done);
            boolean last = done + batch == count;
            runBatch(tokens, offset + done, batch, startPos + done, cache);
            if (allPositions) {
                logitsOf(0, batch, logits, done * vocab);
            } else if (last) {
                logitsOf(batch - 1, 1, logits, 0);
            }
        }
    }

    private void runBatch(int[] tokens, int offset, int batch, int startPos, KvCache cache) {
        int e = config.embeddingLength();
        for (int b = 0; b < batch; b++) {
            int token = tokens[offset + b];
            if (token < 0 || token >= tokenEmbedding.rows()) {
                throw new ModelException("token id " + token + " is outside the vocabulary (0.." + (tokenEmbedding.rows() - 1) + ")");
            }
            tokenEmbedding.dequantizeRow(token, x, b * e);
        }
        for (int l = 0; l < blocks.length; l++) {
            Block block = blocks[l];
            normRows(x, block.attentionNorm(), batch);
            block.attention().forward(l, xn, batch, startPos, cache, blockOut);
            FloatOps.add(x, 0, blockOut, 0, batch * e);
            normRows(x, block.feedForwardNorm(), batch);
            block.feedForward().forward(xn, batch, blockOut);
            FloatOps.add(x, 0, blockOut, 0, batch * e);
        }
    }

    /** Final norm and output head for rows {@code [first, first+n)} of the last batch. */
    private void logitsOf(int first, int n, float[] logits, int logitsOffset) {
        int e = config.embeddingLength();
        for (int b = 0; b < n; b++) {
            FloatOps.rmsNorm(xn, b * e, x, (first + b) * e, outputNorm, e, config.rmsEps());
        }
        if (logitsOffset == 0) {
            matmul.matMat(output, xn, n, logits);
        } else {
            if (batchLogits == null) {
                batchLogits = new float[maxBatch * config.vocabSize()];
            }
            matmul.matMat(output, xn, n, batchLogits);
            System.arraycopy(batchLogits, 0, logits, logitsOffset, n * config.vocabSize());
        }
    }

    private void normRows(float[] in, float[] weight, int batch) {
        int e = config.embeddingLength();
        for (int b = 0; b < batch; b++) {
            FloatOps.rmsNorm(xn, b * e, in, b * e, weight, e, config.rmsEps());
        }
    }

    @Override
    public void close() {
        file.close();
    }
}

package dev.jseek.model;

import dev.jseek.gguf.GgufFile;
import dev.jseek.gguf.ModelMetadata;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;

/** Opens a GGUF file and builds the model its architecture describes. */
public final class ModelLoader {

    /**
     * @param contextSize positions each sequence may hold; 0 = the smaller of the model's
     *                    context and {@link #DEFAULT_CONTEXT}
     * @param maxBatch    tokens per forward batch (prompt processing)
     */
    public record Options(int contextSize, int maxBatch) {
        public static Options defaults() {
            return new Options(0, 64);
        }
    }

    public static final int DEFAULT_CONTEXT = 4096;

    private ModelLoader() {
    }

    public static Model load(Path path, MatMul matmul, Options options) throws IOException {
        GgufFile file = GgufFile.open(path);
        try {
            return build(file, matmul, options);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Builds a model over an open file; the model closes the file. */
    public static Model build(GgufFile file, MatMul matmul, Options options) {
        if (file.architecture() == null) {
            throw new ModelException(file.source() + " has no general.architecture: not a model (a vocabulary-only file?)");
        }
        ModelMetadata md = new ModelMetadata(file.metadata());
        ModelConfig c = ModelConfig.from(md);
        int context = options.contextSize() > 0 ? options.contextSize() : Math.min(c.contextLength(), DEFAULT_CONTEXT);
        Weights w = new Weights(file);
        int e = c.embeddingLength();
        Tensor embedding = w.required("token_embd.weight", e, c.vocabSize());
        Tensor output = w.optional("output.weight", e, c.vocabSize());
        float[] ropeFreqs = w.vector(w.optional("rope_freqs.weight", md.ropeDimensionCount() / 2));
        Rope rope = rope(md, c.architecture(), ropeFreqs);

        Model.Block[] blocks = new Model.Block[c.layers()];
        int qWidth = c.heads() * c.headSize();
        int kWidth = c.kvHeads() * c.headSize();
        int vWidth = c.kvHeads() * c.valueHeadSize();
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            boolean qkNorm = c.architecture().qkNorm();
            Attention attention = new GroupedQueryAttention(c, rope, matmul,
                    w.required(p + "attn_q.weight", e, qWidth),
                    w.required(p + "attn_k.weight", e, kWidth),
                    w.required(p + "attn_v.weight", e, vWidth),
                    w.required(p + "attn_output.weight", c.heads() * c.valueHeadSize(), e),
                    w.vector(w.optional(p + "attn_q.bias", qWidth)),
                    w.vector(w.optional(p + "attn_k.bias", kWidth)),
                    w.vector(w.optional(p + "attn_v.bias", vWidth)),
                    qkNorm ? w.vector(w.required(p + "attn_q_norm.weight", c.headSize())) : null,
                    qkNorm ? w.vector(w.required(p + "attn_k_norm.weight", c.headSize())) : null,
                    options.maxBatch(), context);
            FeedForward ffn = new SwiGluFeedForward(matmul,
                    w.required(p + "ffn_gate.weight", e, c.feedForwardLength()),
                    w.required(p + "ffn_up.weight", e, c.feedForwardLength()),
                    w.required(p + "ffn_down.weight", c.feedForwardLength(), e),
                    options.maxBatch());
            blocks[l] = new Model.Block(w.vector(w.required(p + "attn_norm.weight", e)), attention,
                    w.vector(w.required(p + "ffn_norm.weight", e)), ffn);
        }
        float[] outputNorm = w.vector(w.required("output_norm.weight", e));
        return new Model(file, c, matmul, embedding, blocks, outputNorm, output != null ? output : embedding,
                options.maxBatch(), context);
    }

    /** RoPE as llama.cpp sets it up from the rope.* keys: linear or YaRN scaling, frequency factors. */
    static Rope rope(ModelMetadata md, Architecture arch, float[] freqFactors) {
        String scaling = md.ropeScalingType();
        float factor = md.ropeScalingFactor();
        float freqScale = 1f / factor;
        boolean yarn = scaling.equals("yarn");
        if (!scaling.equals("none") && !scaling.equals("linear") && !yarn) {
            throw new ModelException("RoPE scaling type '" + scaling + "' is not supported (none, linear, yarn)");
        }
        if (scaling.equals("none")) {
            freqScale = 1f;
        }
        return new Rope(arch.ropeLayout(), md.ropeDimensionCount(), md.ropeFreqBase(), freqScale,
                yarn ? 1f : 0f, 1f, md.ropeYarnBetaFast(), md.ropeYarnBetaSlow(), md.ropeScalingOriginalContext(), freqFactors);
    }
}

package dev.jseek.model;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.RangeTask;
import dev.jseek.tensor.Tensor;
import java.util.Arrays;

/**
 * Multi-head attention whose key/value heads may be shared by groups of query heads (GQA), with
 * the optional parts the dense architectures differ in: q/k/v biases and per-head q/k RMSNorm.
 */
final class GroupedQueryAttention implements Attention {

    private final ModelConfig config;
    private final Rope rope;
    private final MatMul matmul;
    private final Tensor wo;
    /** q, k and v: one product of the normalised input. */
    private final Tensor[] qkv;
    private final float[] qBias;
    private final float[] kBias;
    private final float[] vBias;
    private final float[] qNorm;
    private final float[] kNorm;

    private final int heads;
    private final int kvHeads;
    private final int headSize;
    private final int valueHeadSize;
    private final float scale;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] mixed;
    private final float[][] qkvOut;
    private final int capacity;
    /** Query heads per key/value head. */
    private final int group;
    /** A work item's run of query heads within one group, and how many runs a group has. */
    private final int runLength;
    private final int runsPerGroup;
    /** Per worker: the scores of a run's heads, {@code capacity} apart. */
    private final float[][] scores;
    /** Per worker: {@link #TILE} cached key or value rows as floats, which the run's heads share. */
    private final float[][] tiles;
    private final RangeTask headTask = this::attendHeads;

    // The current call, read by the workers.
    private int layer;
    private int startPos;
    private KvCache cache;

    GroupedQueryAttention(ModelConfig config, Rope rope, MatMul matmul, Tensor wq, Tensor wk, Tensor wv, Tensor wo,
                          float[] qBias, float[] kBias, float[] vBias, float[] qNorm, float[] kNorm,
                          Workspace ws, int maxBatch, int contextCapacity) {
        this.config = config;
        this.rope = rope;
        this.matmul = matmul;
        this.wo = wo;
        this.qkv = new Tensor[] {wq, wk, wv};
        this.qBias = qBias;
        this.kBias = kBias;
        this.vBias = vBias;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.heads = config.heads();
        this.kvHeads = config.kvHeads();
        this.headSize = config.headSize();
        this.valueHeadSize = config.valueHeadSize();
        this.scale = (float) (1.0 / Math.sqrt(headSize));
        this.q = ws.floats("attn.q", maxBatch * heads * headSize);
        this.k = ws.floats("attn.k", maxBatch * kvHeads * headSize);
        this.v = ws.floats("attn.v", maxBatch * kvHeads * valueHeadSize);
        this.mixed = ws.floats("attn.mixed", maxBatch * heads * valueHeadSize);
        this.qkvOut = new float[][] {q, k, v};
        this.capacity = contextCapacity;
        this.group = heads / kvHeads;
        // A token's heads in at least two runs per thread, so a slow thread's share is taken up by
        // the others; each run reads its cached rows once for all its heads.
        int threads = matmul.pool().threads();
        int runs = Math.clamp(Math.ceilDiv(2 * threads, kvHeads), 1, group);
        this.runLength = Math.ceilDiv(group, runs);
        this.runsPerGroup = Math.ceilDiv(group, runLength);
        this.scores = ws.perWorker("attn.scores", threads, runLength * contextCapacity);
        this.tiles = ws.perWorker("attn.tile", threads, TILE * Math.max(headSize, valueHeadSize));
    }

    @Override
    public void forward(int layer, float[] xn, int batch, int startPos, KvCache cache, float[] out) {
        int qWidth = heads * headSize;
        int kWidth = kvHeads * headSize;
        int vWidth = kvHeads * valueHeadSize;
        matmul.matMats(qkv, xn, batch, qkvOut);
        for (int b = 0; b < batch; b++) {
            addBias(q, b * qWidth, qBias);
            addBias(k, b * kWidth, kBias);
            addBias(v, b * vWidth, vBias);
            if (qNorm != null) {
                normHeads(q, b * qWidth, heads, qNorm);
                normHeads(k, b * kWidth, kvHeads, kNorm);
            }
            rope.apply(q, b * qWidth, heads, headSize, startPos + b);
            rope.apply(k, b * kWidth, kvHeads, headSize, startPos + b);
            cache.store(layer, startPos + b, k, b * kWidth, v, b * vWidth);
        }
        this.layer = layer;
        this.startPos = startPos;
        this.cache = cache;
        try {
            matmul.pool().parallelFor(batch * kvHeads * runsPerGroup, headTask);
        } finally {
            this.cache = null;
        }
        matmul.matMat(wo, mixed, batch, out);
    }

    /**
     * Softmax attention of work items {@code [from, to)}, each a token and a run of query heads
     * sharing one key/value head: each cached row is turned into floats once for the whole run
     * (as one head at a time, the half float conversions and the sums of the key products took
     * about 4% of 1.5B decode with 1 thread).
     */
    private void attendHeads(int worker, int from, int to) {
        float[] s = scores[worker];
        float[] tile = tiles[worker];
        for (int i = from; i < to; i++) {
            int b = i / (kvHeads * runsPerGroup);
            int kvHead = i / runsPerGroup % kvHeads;
            int first = kvHead * group + i % runsPerGroup * runLength;
            int end = Math.min(first + runLength, (kvHead + 1) * group);
            int positions = startPos + b + 1;
            for (int t0 = 0; t0 < positions; t0 += TILE) {
                int n = Math.min(TILE, positions - t0);
                for (int t = 0; t < n; t++) {
                    cache.key(layer, t0 + t, kvHead * headSize, tile, t * headSize, headSize);
                }
                for (int t = 0; t < n; t++) {
                    for (int h = first; h < end; h++) {
                        s[(h - first) * capacity + t0 + t] =
                                FloatOps.dot(tile, t * headSize, q, (b * heads + h) * headSize, headSize) * scale;
                    }
                }
            }
            for (int h = first; h < end; h++) {
                FloatOps.softmax(s, (h - first) * capacity, positions);
                int outAt = (b * heads + h) * valueHeadSize;
                Arrays.fill(mixed, outAt, outAt + valueHeadSize, 0f);
            }
            for (int t0 = 0; t0 < positions; t0 += TILE) {
                int n = Math.min(TILE, positions - t0);
                for (int t = 0; t < n; t++) {
                    cache.value(layer, t0 + t, kvHead * valueHeadSize, tile, t * valueHeadSize, valueHeadSize);
                }
                for (int h = first; h < end; h++) {
                    FloatOps.addWeightedRows(mixed, (b * heads + h) * valueHeadSize, valueHeadSize, tile, 0,
                            s, (h - first) * capacity + t0, n);
                }
            }
        }
    }

    private static void addBias(float[] x, int offset, float[] bias) {
        if (bias != null) {
            FloatOps.add(x, offset, bias, 0, bias.length);
        }
    }

    private void normHeads(float[] x, int offset, int count, float[] weight) {
        for (int h = 0; h < count; h++) {
            FloatOps.rmsNorm(x, offset + h * headSize, x, offset + h * headSize, weight, headSize, config.rmsEps());
        }
    }
}

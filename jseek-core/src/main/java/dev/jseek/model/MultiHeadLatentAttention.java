package dev.jseek.model;

import dev.jseek.tensor.ActivationRounding;
import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.RangeTask;
import dev.jseek.tensor.Tensor;
import dev.jseek.tensor.TypeKernel;
import java.util.Arrays;

/**
 * DeepSeek's multi-head latent attention with a latent cache: per position only the normalised
 * KV latent c (kvLoraRank) and the shared RoPE key k_pe (ropeDim) are kept. Attention runs in
 * the latent space with the absorbed projections, as the DeepSeek-V2 paper describes:
 * score = (W_UK^T q_nope) . c + q_pe . k_pe, and a head's output is W_UV (sum_t p_t c_t).
 */
final class MultiHeadLatentAttention implements Attention {

    private final ModelConfig.Mla mla;
    private final Rope rope;
    private final MatMul matmul;
    private final float[] qANorm;
    private final Tensor wqB;         // Rq -> H*(dn+dr)
    private final float[] kvANorm;
    private final Tensor[] keyUp;     // per head: R rows of dn (W_UK^T), or in the legacy layout dn rows of R (W_UK)
    private final Tensor[] valueUp;   // per head: dv rows of R (W_UV)
    private final Tensor wo;          // H*dv -> E
    /**
     * The products of the normalised input, run as one: wq (E -> H*(dn+dr)) or, when queries are
     * compressed, wqA (E -> Rq); and wkvA (E -> R + dr).
     */
    private final Tensor[] inputProducts;
    private final float rmsEps;

    private final int heads;
    private final int queryHeadSize;
    private final int rank;
    private final float scale;
    private final float[] qA;
    private final float[] q;
    private final float[] kv;
    private final float[] mixed;
    private final float[][] inputOutputs;
    private final int capacity;
    /** A work item's run of heads, and how many runs a token's heads make. */
    private final int runLength;
    private final int runsPerToken;
    /** Per worker: the scores, latent queries and latent outputs of a run's heads. */
    private final float[][] scores;
    private final float[][] latentQuery;
    private final float[][] latentOut;
    /** Per worker: {@link #TILE} cached rows (latent and RoPE key) as floats, which the run's heads share. */
    private final float[][] tiles;
    /** Per worker: one head's latent output, for rounding before W_UV. */
    private final float[][] headLatent;
    private final float[][] rowScratch;
    /** Per worker, the scratch of the kernels' dot products (TypeKernel.SCRATCH floats). */
    private final float[][] dotScratch;
    /**
     * Per worker, when the products round activations as llama.cpp does: it also rounds q_nope
     * before W_UK and the attention output latent before W_UV (its mul_mat on those weights).
     */
    private final ActivationRounding[] rounding;
    private final float[][] queryNope;
    private final RangeTask headTask = this::attendHeads;

    private int layer;
    private int startPos;
    private KvCache cache;

    MultiHeadLatentAttention(ModelConfig config, Rope rope, float scale, MatMul matmul, Tensor wq, Tensor wqA, float[] qANorm,
                             Tensor wqB, Tensor wkvA, float[] kvANorm, Tensor[] keyUp, Tensor[] valueUp, Tensor wo,
                             Workspace ws, int maxBatch, int contextCapacity) {
        this.mla = config.mla();
        this.rope = rope;
        this.matmul = matmul;
        this.qANorm = qANorm;
        this.wqB = wqB;
        this.kvANorm = kvANorm;
        this.keyUp = keyUp;
        this.valueUp = valueUp;
        this.wo = wo;
        this.rmsEps = config.rmsEps();
        this.heads = config.heads();
        this.queryHeadSize = mla.nopeDim() + mla.ropeDim();
        this.rank = mla.kvLoraRank();
        this.scale = scale;
        this.qA = mla.qLoraRank() > 0 ? ws.floats("mla.qa", maxBatch * mla.qLoraRank()) : null;
        this.q = ws.floats("attn.q", maxBatch * heads * queryHeadSize);
        this.kv = ws.floats("mla.kv", maxBatch * (rank + mla.ropeDim()));
        this.mixed = ws.floats("attn.mixed", maxBatch * heads * mla.valueDim());
        this.inputProducts = new Tensor[] {wq != null ? wq : wqA, wkvA};
        this.inputOutputs = new float[][] {wq != null ? q : qA, kv};
        int threads = matmul.pool().threads();
        // A token's heads in at least two runs per thread, so a slow thread's share is taken up by
        // the others; each run reads each cached row once for all its heads.
        this.capacity = contextCapacity;
        this.runLength = Math.ceilDiv(heads, Math.clamp(2 * threads, 1, heads));
        this.runsPerToken = Math.ceilDiv(heads, runLength);
        this.scores = ws.perWorker("attn.scores", threads, runLength * contextCapacity);
        this.latentQuery = ws.perWorker("mla.qlatent", threads, runLength * rank);
        this.latentOut = ws.perWorker("mla.olatent", threads, runLength * rank);
        this.tiles = ws.perWorker("mla.tile", threads, TILE * (rank + mla.ropeDim()));
        this.headLatent = ws.perWorker("mla.head", threads, matmul.roundsActivations() ? rank : 0);
        this.rowScratch = ws.perWorker("mla.row", threads, mla.legacyKvB() ? rank : 0);
        this.dotScratch = ws.perWorker("mla.dot", threads, TypeKernel.SCRATCH);
        this.rounding = matmul.roundsActivations() ? new ActivationRounding[threads] : null;
        if (rounding != null) {
            Arrays.setAll(rounding, i -> new ActivationRounding());
        }
        this.queryNope = ws.perWorker("mla.qnope", threads, rounding != null ? mla.nopeDim() : 0);
    }

    @Override
    public void forward(int layer, float[] xn, int batch, int startPos, KvCache cache, float[] out) {
        int qWidth = heads * queryHeadSize;
        int kvWidth = rank + mla.ropeDim();
        matmul.matMats(inputProducts, xn, batch, inputOutputs);
        if (wqB != null) {
            int rq = mla.qLoraRank();
            for (int b = 0; b < batch; b++) {
                FloatOps.rmsNorm(qA, b * rq, qA, b * rq, qANorm, rq, rmsEps);
            }
            matmul.matMat(wqB, qA, batch, q);
        }
        for (int b = 0; b < batch; b++) {
            int pos = startPos + b;
            FloatOps.rmsNorm(kv, b * kvWidth, kv, b * kvWidth, kvANorm, rank, rmsEps);
            rope.apply(q, b * qWidth + mla.nopeDim(), heads, queryHeadSize, pos);
            rope.apply(kv, b * kvWidth + rank, 1, kvWidth, pos);
            cache.store(layer, pos, kv, b * kvWidth, kv, 0);
        }
        this.layer = layer;
        this.startPos = startPos;
        this.cache = cache;
        try {
            matmul.pool().parallelFor(batch * runsPerToken, headTask);
        } finally {
            this.cache = null;
        }
        matmul.matMat(wo, mixed, batch, out);
    }

    /**
     * Absorbed attention of work items {@code [from, to)}, each a token and a run of heads: each
     * cached row is turned into floats once for the whole run, where one head at a time turned
     * it into floats again for every head.
     */
    private void attendHeads(int worker, int from, int to) {
        float[] s = scores[worker];
        float[] qLatent = latentQuery[worker];
        float[] oLatent = latentOut[worker];
        float[] tile = tiles[worker];
        int dn = mla.nopeDim();
        int dr = mla.ropeDim();
        int dv = mla.valueDim();
        for (int i = from; i < to; i++) {
            int b = i / runsPerToken;
            int first = i % runsPerToken * runLength;
            int end = Math.min(first + runLength, heads);
            for (int h = first; h < end; h++) {
                absorbQuery(h, (b * heads + h) * queryHeadSize, qLatent, (h - first) * rank, worker);
            }
            int positions = startPos + b + 1;
            int width = rank + dr;
            for (int t0 = 0; t0 < positions; t0 += TILE) {
                int n = Math.min(TILE, positions - t0);
                for (int t = 0; t < n; t++) {
                    cache.key(layer, t0 + t, 0, tile, t * width, width);
                }
                for (int t = 0; t < n; t++) {
                    for (int h = first; h < end; h++) {
                        float score = FloatOps.dot(tile, t * width, qLatent, (h - first) * rank, rank)
                                + FloatOps.dot(tile, t * width + rank, q, (b * heads + h) * queryHeadSize + dn, dr);
                        s[(h - first) * capacity + t0 + t] = score * scale;
                    }
                }
            }
            for (int h = first; h < end; h++) {
                FloatOps.softmax(s, (h - first) * capacity, positions);
            }
            Arrays.fill(oLatent, 0, (end - first) * rank, 0f);
            for (int t0 = 0; t0 < positions; t0 += TILE) {
                int n = Math.min(TILE, positions - t0);
                for (int t = 0; t < n; t++) {
                    cache.key(layer, t0 + t, 0, tile, t * rank, rank);
                }
                for (int h = first; h < end; h++) {
                    FloatOps.addWeightedRows(oLatent, (h - first) * rank, rank, tile, 0, s, (h - first) * capacity + t0, n);
                }
            }
            for (int h = first; h < end; h++) {
                Tensor wUV = valueUp[h];
                float[] o = oLatent;
                int at = (h - first) * rank;
                if (rounding != null) {
                    System.arraycopy(oLatent, at, headLatent[worker], 0, rank);
                    o = rounding[worker].apply(wUV.type(), headLatent[worker], rank);
                    at = 0;
                }
                int outAt = (b * heads + h) * dv;
                for (int d = 0; d < dv; d++) {
                    mixed[outAt + d] = wUV.dotRow(d, o, at, dotScratch[worker]);
                }
            }
        }
    }

    /** {@code qLatent[latentAt..] = W_UK^T q_nope} for head {@code h}. */
    private void absorbQuery(int h, int qAt, float[] qLatent, int latentAt, int worker) {
        Tensor wUK = keyUp[h];
        if (!mla.legacyKvB()) {
            float[] qn = q;
            int at = qAt;
            if (rounding != null) {
                System.arraycopy(q, qAt, queryNope[worker], 0, mla.nopeDim());
                qn = rounding[worker].apply(wUK.type(), queryNope[worker], mla.nopeDim());
                at = 0;
            }
            for (int r = 0; r < rank; r++) {
                qLatent[latentAt + r] = wUK.dotRow(r, qn, at, dotScratch[worker]);
            }
            return;
        }
        // The legacy attn_kv_b stores W_UK itself (dn rows of R): add up its rows weighted by q_nope.
        float[] row = rowScratch[worker];
        Arrays.fill(qLatent, latentAt, latentAt + rank, 0f);
        for (int d = 0; d < mla.nopeDim(); d++) {
            wUK.dequantizeRow(d, row, 0);
            FloatOps.axpy(qLatent, latentAt, q[qAt + d], row, 0, rank);
        }
    }
}

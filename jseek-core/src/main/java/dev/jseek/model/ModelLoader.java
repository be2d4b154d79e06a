package dev.jseek.model;

import dev.jseek.gguf.GgufFile;
import dev.jseek.gguf.GgufModelFiles;
import dev.jseek.gguf.ModelMetadata;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/** Opens a GGUF file and builds the model its architecture describes. */
public final class ModelLoader {

    /**
     * @param contextSize positions each sequence may hold; 0 = the smaller of the model's
     *                    context and {@link #DEFAULT_CONTEXT}
     * @param maxBatch    tokens per forward batch (prompt processing)
     * @param storage     where the weights are read from: the mapped file (the default) or a copy in memory
     */
    public record Options(int contextSize, int maxBatch, GgufFile.Storage storage) {
        public Options {
            Objects.requireNonNull(storage, "storage");
        }

        public Options(int contextSize, int maxBatch) {
            this(contextSize, maxBatch, GgufFile.Storage.MAPPED);
        }

        public static Options defaults() {
            return new Options(0, 64);
        }
    }

    public static final int DEFAULT_CONTEXT = 4096;

    private ModelLoader() {
    }

    /** Loads the model in {@code path}: one GGUF file, or the first part of a split model. */
    public static Model load(Path path, MatMul matmul, Options options) throws IOException {
        GgufModelFiles file = GgufModelFiles.open(path, options.storage());
        try {
            return build(file, matmul, options);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Builds a model over open files; the model closes them. */
    public static Model build(GgufModelFiles file, MatMul matmul, Options options) {
        if (file.architecture() == null || file.tensors().isEmpty()) {
            throw new ModelException(file.source() + " holds no model weights (a vocabulary-only file?)");
        }
        ModelMetadata md = new ModelMetadata(file.metadata());
        ModelConfig c = ModelConfig.from(md);
        int context = options.contextSize() > 0 ? options.contextSize() : Math.min(c.contextLength(), DEFAULT_CONTEXT);
        // The smallest cache a session will need must fit before any buffer is sized by the context.
        KvCache.checkFits(KvCache.Type.F16, c.layers(), context, c.cacheKeyWidth(), c.cacheValueWidth());
        Weights w = new Weights(file);
        int e = c.embeddingLength();
        Tensor embedding = w.required("token_embd.weight", e, c.vocabSize());
        Tensor output = w.optional("output.weight", e, c.vocabSize());
        float[] ropeFreqs = w.vector(w.optional("rope_freqs.weight", md.ropeDimensionCount() / 2));
        Rope rope = rope(md, c.architecture(), ropeFreqs);

        Workspace ws = new Workspace();
        Model.Block[] blocks = new Model.Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            Attention attention = c.mla() != null
                    ? latentAttention(c, md, rope, matmul, w, p, ws, options.maxBatch(), context)
                    : groupedAttention(c, rope, matmul, w, p, ws, options.maxBatch(), context);
            FeedForward ffn = c.moe() != null && l >= c.moe().leadingDense()
                    ? mixtureOfExperts(c, matmul, w, p, ws, options.maxBatch())
                    : swiGlu(matmul, w, p, "", e, c.feedForwardLength(), ws, options.maxBatch());
            blocks[l] = new Model.Block(w.vector(w.required(p + "attn_norm.weight", e)), attention,
                    w.vector(w.required(p + "ffn_norm.weight", e)), ffn);
        }
        float[] outputNorm = w.vector(w.required("output_norm.weight", e));
        return new Model(file, c, matmul, embedding, blocks, outputNorm, output != null ? output : embedding,
                options.maxBatch(), context);
    }

    private static Attention groupedAttention(ModelConfig c, Rope rope, MatMul matmul, Weights w, String p,
                                              Workspace ws, int maxBatch, int context) {
        int e = c.embeddingLength();
        int qWidth = c.heads() * c.headSize();
        int kWidth = c.kvHeads() * c.headSize();
        int vWidth = c.kvHeads() * c.valueHeadSize();
        boolean qkNorm = c.architecture().qkNorm();
        return new GroupedQueryAttention(c, rope, matmul,
                w.required(p + "attn_q.weight", e, qWidth),
                w.required(p + "attn_k.weight", e, kWidth),
                w.required(p + "attn_v.weight", e, vWidth),
                w.required(p + "attn_output.weight", c.heads() * c.valueHeadSize(), e),
                w.vector(w.optional(p + "attn_q.bias", qWidth)),
                w.vector(w.optional(p + "attn_k.bias", kWidth)),
                w.vector(w.optional(p + "attn_v.bias", vWidth)),
                qkNorm ? w.vector(w.required(p + "attn_q_norm.weight", c.headSize())) : null,
                qkNorm ? w.vector(w.required(p + "attn_k_norm.weight", c.headSize())) : null,
                ws, maxBatch, context);
    }

    /** deepseek2's MLA, from either the split attn_k_b/attn_v_b layout or the older single attn_kv_b. */
    private static Attention latentAttention(ModelConfig c, ModelMetadata md, Rope rope, MatMul matmul, Weights w, String p,
                                             Workspace ws, int maxBatch, int context) {
        ModelConfig.Mla mla = c.mla();
        int e = c.embeddingLength();
        int h = c.heads();
        int r = mla.kvLoraRank();
        int dn = mla.nopeDim();
        int dv = mla.valueDim();
        int qHead = dn + mla.ropeDim();
        Tensor wq = null;
        Tensor wqA = null;
        float[] qANorm = null;
        Tensor wqB = null;
        if (mla.qLoraRank() > 0) {
            wqA = w.required(p + "attn_q_a.weight", e, mla.qLoraRank());
            qANorm = w.vector(w.required(p + "attn_q_a_norm.weight", mla.qLoraRank()));
            wqB = w.required(p + "attn_q_b.weight", mla.qLoraRank(), (long) h * qHead);
        } else {
            wq = w.required(p + "attn_q.weight", e, (long) h * qHead);
        }
        Tensor[] keyUp = new Tensor[h];
        Tensor[] valueUp = new Tensor[h];
        if (mla.legacyKvB()) {
            Tensor kvB = w.required(p + "attn_kv_b.weight", r, (long) h * (dn + dv));
            for (int i = 0; i < h; i++) {
                keyUp[i] = kvB.rows((long) i * (dn + dv), dn, kvB.name() + "[k" + i + "]");
                valueUp[i] = kvB.rows((long) i * (dn + dv) + dn, dv, kvB.name() + "[v" + i + "]");
            }
        } else {
            Tensor kB = w.required(p + "attn_k_b.weight", dn, r, h);
            Tensor vB = w.required(p + "attn_v_b.weight", r, dv, h);
            for (int i = 0; i < h; i++) {
                keyUp[i] = kB.rows((long) i * r, r, kB.name() + "[" + i + "]");
                valueUp[i] = vB.rows((long) i * dv, dv, vB.name() + "[" + i + "]");
            }
        }
        float factor = md.ropeScalingFactor();
        boolean yarn = md.ropeScalingType().equals("yarn") && factor > 1f;
        // DeepSeek's YaRN softmax correction: mscale = 1 + 0.1 * mscale_all_dim * ln(factor), squared.
        double mscale = yarn ? 1.0 + md.ropeYarnLogMultiplier() * Math.log(factor) : 1.0;
        float scale = (float) (mscale * mscale / Math.sqrt(qHead));
        return new MultiHeadLatentAttention(c, rope, scale, matmul, wq, wqA, qANorm, wqB,
                w.required(p + "attn_kv_a_mqa.weight", e, r + mla.ropeDim()),
                w.vector(w.required(p + "attn_kv_a_norm.weight", r)),
                keyUp, valueUp,
                w.required(p + "attn_output.weight", (long) h * dv, e),
                ws, maxBatch, context);
    }

    private static FeedForward mixtureOfExperts(ModelConfig c, MatMul matmul, Weights w, String p, Workspace ws, int maxBatch) {
        ModelConfig.Moe moe = c.moe();
        int e = c.embeddingLength();
        int n = moe.experts();
        int fe = moe.expertFeedForward();
        Tensor gates = w.required(p + "ffn_gate_exps.weight", e, fe, n);
        Tensor ups = w.required(p + "ffn_up_exps.weight", e, fe, n);
        Tensor downs = w.required(p + "ffn_down_exps.weight", fe, e, n);
        Tensor[] gate = new Tensor[n];
        Tensor[] up = new Tensor[n];
        Tensor[] down = new Tensor[n];
        for (int i = 0; i < n; i++) {
            gate[i] = gates.rows((long) i * fe, fe, gates.name() + "[" + i + "]");
            up[i] = ups.rows((long) i * fe, fe, ups.name() + "[" + i + "]");
            down[i] = downs.rows((long) i * e, e, downs.name() + "[" + i + "]");
        }
        Router router = new Router(moe.gating(), n, moe.used(), moe.groups(), moe.groupsUsed(), moe.normalize(), moe.scale(),
                w.vector(w.optional(p + "exp_probs_b.bias", n)));
        FeedForward shared = moe.shared() > 0 ? swiGlu(matmul, w, p, "_shexp", e, fe * moe.shared(), ws, maxBatch) : null;
        return new MoeFeedForward(matmul, w.required(p + "ffn_gate_inp.weight", e, n), router, gate, up, down, shared, e,
                ws, maxBatch);
    }

    private static FeedForward swiGlu(MatMul matmul, Weights w, String p, String suffix, int e, int hidden, Workspace ws,
                                      int maxBatch) {
        return new SwiGluFeedForward(matmul,
                w.required(p + "ffn_gate" + suffix + ".weight", e, hidden),
                w.required(p + "ffn_up" + suffix + ".weight", e, hidden),
                w.required(p + "ffn_down" + suffix + ".weight", hidden, e),
                ws, maxBatch);
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
        // deepseek2 keeps the rotation's magnitude at 1 and corrects the softmax scale instead.
        float attnFactor = yarn && arch.deepseek() ? (float) (1.0 / (1.0 + 0.1 * Math.log(factor))) : 1f;
        return new Rope(arch.ropeLayout(), md.ropeDimensionCount(), md.ropeFreqBase(), freqScale,
                yarn ? 1f : 0f, attnFactor, md.ropeYarnBetaFast(), md.ropeYarnBetaSlow(), md.ropeScalingOriginalContext(),
                freqFactors);
    }
}

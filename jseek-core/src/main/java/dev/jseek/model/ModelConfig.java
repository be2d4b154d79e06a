package dev.jseek.model;

import dev.jseek.gguf.ModelMetadata;

/**
 * The hyper-parameters of a transformer, read once from the file's metadata. {@code headSize}
 * and {@code valueHeadSize} are per query head; {@code mla} and {@code moe} are set for
 * deepseek2 only.
 */
public record ModelConfig(
        Architecture architecture,
        int embeddingLength,
        int layers,
        int heads,
        int kvHeads,
        int headSize,
        int valueHeadSize,
        int feedForwardLength,
        int vocabSize,
        int contextLength,
        float rmsEps,
        Mla mla,
        Moe moe) {

    /**
     * Multi-head latent attention: queries optionally through a rank-{@code qLoraRank} bottleneck,
     * keys and values through a shared latent of {@code kvLoraRank} plus a {@code ropeDim} RoPE key.
     */
    public record Mla(int qLoraRank, int kvLoraRank, int nopeDim, int ropeDim, int valueDim, boolean legacyKvB) {
    }

    /** DeepSeek mixture of experts; the first {@code leadingDense} blocks use a plain feed-forward. */
    public record Moe(int leadingDense, int experts, int used, int shared, int expertFeedForward,
                      int groups, int groupsUsed, Router.Gating gating, boolean normalize, float scale) {
    }

    /** Width of one position's cached keys (for MLA: the latent and the RoPE key). */
    public int cacheKeyWidth() {
        return mla != null ? mla.kvLoraRank() + mla.ropeDim() : kvHeads * headSize;
    }

    /** Width of one position's cached values (none for MLA: attention reads the latent). */
    public int cacheValueWidth() {
        return mla != null ? 0 : kvHeads * valueHeadSize;
    }

    public static ModelConfig from(ModelMetadata md) {
        Architecture arch = Architecture.forName(md.architecture());
        int layers = md.blockCount() - md.nextnPredictLayers();
        int[] heads = md.headCount();
        int[] kvHeads = md.headCountKv();
        int[] ff = md.feedForwardLength();
        for (int l = 1; l < layers; l++) {
            if (heads[l] != heads[0] || kvHeads[l] != kvHeads[0] || ff[l] != ff[0]) {
                throw new ModelException("layers with different head counts or feed-forward sizes are not supported");
            }
        }
        if (layers < 1 || heads.length == 0 || heads[0] <= 0 || kvHeads[0] <= 0 || heads[0] % kvHeads[0] != 0) {
            throw new ModelException("head counts " + (heads.length == 0 ? "missing" : heads[0] + " / " + kvHeads[0])
                    + " are not usable: the query heads must be a positive multiple of the key/value heads");
        }
        if (!arch.deepseek()) {
            return new ModelConfig(arch, md.embeddingLength(), layers, heads[0], kvHeads[0], md.keyLength(),
                    md.valueLength(), ff[0], md.vocabSize(), md.contextLength(), md.rmsNormEpsilon(), null, null);
        }
        // Newer files describe MLA with the *_mla keys (key/value_length then give the latent
        // sizes); older ones have no *_mla keys and a single attn_kv_b tensor.
        boolean legacy = !md.hasKeyLengthMla();
        int keyDim = md.keyLengthMla();
        int valueDim = md.valueLengthMla();
        int ropeDim = md.ropeDimensionCount();
        Mla mla = new Mla(md.qLoraRank(), md.kvLoraRank(), keyDim - ropeDim, ropeDim, valueDim, legacy);
        int gatingId = md.expertGatingFunc();
        Router.Gating gating = switch (gatingId) {
            case 0, 1 -> Router.Gating.SOFTMAX;
            case 2 -> Router.Gating.SIGMOID;
            default -> throw new ModelException("expert gating function " + gatingId + " is not supported (1 softmax, 2 sigmoid)");
        };
        float scale = md.expertWeightsScale();
        Moe moe = new Moe(md.leadingDenseBlockCount(), md.expertCount(), md.expertUsedCount(), md.expertSharedCount(),
                md.expertFeedForwardLength(), md.expertGroupCount(), md.expertGroupUsedCount(), gating,
                md.expertWeightsNorm(), scale == 0f ? 1f : scale);
        return new ModelConfig(arch, md.embeddingLength(), layers, heads[0], 1, keyDim, valueDim, ff[0], md.vocabSize(),
                md.contextLength(), md.rmsNormEpsilon(), mla, moe);
    }
}

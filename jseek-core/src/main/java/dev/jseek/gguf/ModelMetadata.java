package dev.jseek.gguf;

import java.util.Arrays;

/**
 * The hyper-parameter keys models read, as {@code {arch}.*} accessors with llama.cpp's defaults
 * where llama.cpp has one and a clear error where it requires the key.
 */
public final class ModelMetadata {

    private final GgufMetadata m;
    private final String arch;

    public ModelMetadata(GgufMetadata metadata) {
        this.m = metadata;
        this.arch = metadata.getString("general.architecture");
    }

    private String key(String suffix) {
        return arch + "." + suffix;
    }

    public String architecture() {
        return arch;
    }

    public String name() {
        return m.getString("general.name", arch);
    }

    public int contextLength() {
        return m.getInt(key("context_length"));
    }

    public int embeddingLength() {
        return m.getInt(key("embedding_length"));
    }

    public int blockCount() {
        return m.getInt(key("block_count"));
    }

    /** Vocabulary size: the {arch}.vocab_size key, else the number of tokens. */
    public int vocabSize() {
        if (m.contains(key("vocab_size"))) {
            return m.getInt(key("vocab_size"));
        }
        return m.contains("tokenizer.ggml.tokens") ? m.getArray("tokenizer.ggml.tokens").length() : 0;
    }

    /** Feed-forward width of each layer (the key may be one number or one per layer); 0 when absent. */
    public int[] feedForwardLength() {
        return perLayer(key("feed_forward_length"), 0);
    }

    /** Attention heads of each layer. */
    public int[] headCount() {
        return perLayer(key("attention.head_count"), 0);
    }

    /** Key/value heads of each layer; defaults to the head count (no grouping). */
    public int[] headCountKv() {
        int[] heads = headCount();
        int[] kv = perLayer(key("attention.head_count_kv"), -1);
        for (int i = 0; i < kv.length; i++) {
            if (kv[i] < 0) {
                kv[i] = heads[i];
            }
        }
        return kv;
    }

    /** Per-head key size; defaults to embedding length / head count. */
    public int keyLength() {
        return m.getInt(key("attention.key_length"), defaultHeadSize());
    }

    /** Per-head value size; defaults to embedding length / head count. */
    public int valueLength() {
        return m.getInt(key("attention.value_length"), defaultHeadSize());
    }

    private int defaultHeadSize() {
        int heads = headCount()[0];
        return heads == 0 ? 0 : embeddingLength() / heads;
    }

    /** Dimensions rotated by RoPE; defaults to the key length. */
    public int ropeDimensionCount() {
        return m.getInt(key("rope.dimension_count"), keyLength());
    }

    public float ropeFreqBase() {
        return m.getFloat(key("rope.freq_base"), 10000f);
    }

    /** none, linear, yarn or longrope; llama.cpp reads a missing type as linear. */
    public String ropeScalingType() {
        return m.getString(key("rope.scaling.type"), "linear");
    }

    /** The context scaling factor; 1 when absent (the older rope.scale_linear key is honoured). */
    public float ropeScalingFactor() {
        float f = m.getFloat(key("rope.scaling.factor"), m.getFloat(key("rope.scale_linear"), 0f));
        return f == 0f ? 1f : f;
    }

    /** The context the model was trained on before scaling; defaults to the context length. */
    public int ropeScalingOriginalContext() {
        return m.getInt(key("rope.scaling.original_context_length"), contextLength());
    }

    public float ropeYarnLogMultiplier() {
        return m.getFloat(key("rope.scaling.yarn_log_multiplier"), 0f);
    }

    public float ropeYarnBetaFast() {
        return m.getFloat(key("rope.scaling.yarn_beta_fast"), 32f);
    }

    public float ropeYarnBetaSlow() {
        return m.getFloat(key("rope.scaling.yarn_beta_slow"), 1f);
    }

    public float rmsNormEpsilon() {
        return m.getFloat(key("attention.layer_norm_rms_epsilon"));
    }

    public float layerNormEpsilon() {
        return m.getFloat(key("attention.layer_norm_epsilon"));
    }

    public int expertCount() {
        return m.getInt(key("expert_count"), 0);
    }

    public int expertUsedCount() {
        return m.getInt(key("expert_used_count"), 0);
    }

    public int expertSharedCount() {
        return m.getInt(key("expert_shared_count"), 0);
    }

    public int expertFeedForwardLength() {
        return m.getInt(key("expert_feed_forward_length"), 0);
    }

    public int leadingDenseBlockCount() {
        return m.getInt(key("leading_dense_block_count"), 0);
    }

    public float expertWeightsScale() {
        return m.getFloat(key("expert_weights_scale"), 0f);
    }

    public boolean expertWeightsNorm() {
        return m.getBool(key("expert_weights_norm"), false);
    }

    /** 1 = softmax, 2 = sigmoid (llama.cpp's numbering); 0 when absent (the model's own default). */
    public int expertGatingFunc() {
        return m.getInt(key("expert_gating_func"), 0);
    }

    public int expertGroupCount() {
        return m.getInt(key("expert_group_count"), 0);
    }

    public int expertGroupUsedCount() {
        return m.getInt(key("expert_group_used_count"), 0);
    }

    /** Rank of the query compression; 0 means queries are not compressed. */
    public int qLoraRank() {
        return m.getInt(key("attention.q_lora_rank"), 0);
    }

    public int kvLoraRank() {
        return m.getInt(key("attention.kv_lora_rank"), 0);
    }

    /** Whether the file describes MLA with the *_mla keys (newer deepseek2 conversions). */
    public boolean hasKeyLengthMla() {
        return m.contains(key("attention.key_length_mla"));
    }

    /** MLA per-head key size before absorption; defaults to the key length. */
    public int keyLengthMla() {
        return m.getInt(key("attention.key_length_mla"), keyLength());
    }

    /** MLA per-head value size before absorption; defaults to the value length. */
    public int valueLengthMla() {
        return m.getInt(key("attention.value_length_mla"), valueLength());
    }

    /** Multi-token-prediction layers at the end of the block list (DeepSeek-V3), skipped by plain decoding. */
    public int nextnPredictLayers() {
        return m.getInt(key("nextn_predict_layers"), 0);
    }

    /** A key that holds one number for every layer or an array with one per layer. */
    private int[] perLayer(String key, int fallback) {
        int n = blockCount();
        int[] out = new int[n];
        if (!m.contains(key)) {
            Arrays.fill(out, fallback);
        } else if (m.get(key).orElseThrow().type() == GgufValueType.ARRAY) {
            int[] values = m.getIntArray(key);
            if (values.length != n) {
                throw new IllegalArgumentException("metadata key '" + key + "' has " + values.length
                        + " entries for " + n + " layers");
            }
            out = values;
        } else {
            Arrays.fill(out, m.getInt(key));
        }
        return out;
    }
}

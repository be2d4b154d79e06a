package dev.jseek.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The typed accessors read the hyper-parameters the reference manifests list for each model. */
class ModelMetadataTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    @ParameterizedTest
    @ValueSource(strings = {"zoo", "llama-spm", "llama3", "qwen2", "qwen3"})
    void denseModels(String model) throws IOException {
        JsonNode ref = JSON.readTree(TestData.file("models/refs/" + model + ".json").toFile());
        JsonNode h = ref.get("hparams");
        try (GgufFile f = GgufFile.open(TestData.file("models/" + model + ".F32.gguf"))) {
            ModelMetadata md = new ModelMetadata(f.metadata());
            int layers = h.get("n_layer").asInt();
            assertEquals(h.get("arch").asText(), md.architecture());
            assertEquals(h.get("n_embd").asInt(), md.embeddingLength());
            assertEquals(layers, md.blockCount());
            assertArrayEquals(filled(layers, h.get("n_head").asInt()), md.headCount());
            assertArrayEquals(filled(layers, h.get("n_head_kv").asInt()), md.headCountKv());
            assertArrayEquals(filled(layers, h.get("n_ff").asInt()), md.feedForwardLength());
            assertEquals(h.get("head_dim").asInt(), md.keyLength());
            assertEquals(h.get("head_dim").asInt(), md.valueLength());
            assertEquals(h.get("head_dim").asInt(), md.ropeDimensionCount());
            assertEquals((float) h.get("rope_base").asDouble(), md.ropeFreqBase());
            assertEquals((float) h.get("eps").asDouble(), md.rmsNormEpsilon());
            assertEquals(h.get("n_vocab").asInt(), md.vocabSize());
            assertEquals(4096, md.contextLength());
            assertEquals(0, md.expertCount());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deepseek2-lite", "deepseek2-v3", "deepseek2-lite-kvb"})
    void deepseek2Models(String model) throws IOException {
        JsonNode ref = JSON.readTree(TestData.file("models/refs/" + model + ".json").toFile());
        JsonNode h = ref.get("hparams_hf");
        try (GgufFile f = GgufFile.open(TestData.file("models/" + model + ".F16.gguf"))) {
            ModelMetadata md = new ModelMetadata(f.metadata());
            assertEquals("deepseek2", md.architecture());
            assertEquals(h.get("hidden_size").asInt(), md.embeddingLength());
            assertEquals(h.get("num_hidden_layers").asInt(), md.blockCount());
            assertEquals(h.get("num_attention_heads").asInt(), md.headCount()[0]);
            assertEquals(h.get("first_k_dense_replace").asInt(), md.leadingDenseBlockCount());
            assertEquals(h.get("q_lora_rank").asInt(), md.qLoraRank());
            assertEquals(h.get("kv_lora_rank").asInt(), md.kvLoraRank());
            assertEquals(h.get("qk_rope_head_dim").asInt(), md.ropeDimensionCount());
            assertEquals(h.get("qk_nope_head_dim").asInt() + h.get("qk_rope_head_dim").asInt(), md.keyLengthMla());
            assertEquals(h.get("v_head_dim").asInt(), md.valueLengthMla());
            assertEquals(h.get("intermediate_size").asInt(), md.feedForwardLength()[0]);
            assertEquals(h.get("moe_intermediate_size").asInt(), md.expertFeedForwardLength());
            assertEquals(h.get("n_routed_experts").asInt(), md.expertCount());
            assertEquals(h.get("num_experts_per_tok").asInt(), md.expertUsedCount());
            assertEquals(h.get("n_shared_experts").asInt(), md.expertSharedCount());
            assertEquals((float) h.get("routed_scaling_factor").asDouble(), md.expertWeightsScale());
            assertEquals(h.get("norm_topk_prob").asBoolean(), md.expertWeightsNorm());
            assertEquals(h.get("scoring_func").asText().equals("sigmoid") ? 2 : 1, md.expertGatingFunc() == 0 ? 1 : md.expertGatingFunc());
            assertEquals((float) h.get("rope_theta").asDouble(), md.ropeFreqBase());
            assertEquals((float) h.get("rms_norm_eps").asDouble(), md.rmsNormEpsilon());
            assertEquals(h.get("max_position_embeddings").asInt(), md.contextLength());
            JsonNode rs = h.get("rope_scaling");
            assertEquals(rs.get("type").asText(), md.ropeScalingType());
            assertEquals((float) rs.get("factor").asDouble(), md.ropeScalingFactor());
            assertEquals(rs.get("original_max_position_embeddings").asInt(), md.ropeScalingOriginalContext());
        }
    }
}

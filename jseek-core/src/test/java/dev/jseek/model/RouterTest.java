package dev.jseek.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Routing alone: fixed router logits in, experts and weights out, against DeepSeek's own
 * definition ({@code deepseek_reference} in refs/deepseek2-routing.json), which the project follows
 * where llama.cpp differs.
 */
class RouterTest {

    static List<JsonNode> cases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(TestData.file("models/refs/deepseek2-routing.json").toFile());
        List<JsonNode> out = new ArrayList<>();
        root.get("cases").forEach(out::add);
        return out;
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void matchesDeepSeeksDefinition(JsonNode c) {
        JsonNode logitsNode = c.get("logits");
        float[] logits = new float[logitsNode.size()];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) logitsNode.get(i).asDouble();
        }
        float[] bias = null;
        if (!c.get("bias").isNull()) {
            bias = new float[logits.length];
            for (int i = 0; i < bias.length; i++) {
                bias[i] = (float) c.get("bias").get(i).asDouble();
            }
        }
        int topK = c.get("top_k").asInt();
        Router router = new Router(c.get("gating_func").asText().equals("sigmoid") ? Router.Gating.SIGMOID : Router.Gating.SOFTMAX,
                logits.length, topK, c.get("n_group").asInt(), c.get("topk_group").asInt(), c.get("norm").asBoolean(),
                (float) c.get("scale").asDouble(), bias);
        int[] chosen = new int[topK];
        float[] weights = new float[topK];
        router.route(logits, 0, chosen, weights, 0);
        JsonNode expected = c.get("deepseek_reference");
        int[] ids = new int[topK];
        for (int k = 0; k < topK; k++) {
            ids[k] = expected.get("expert_ids").get(k).asInt();
        }
        assertArrayEquals(ids, chosen, c.get("name").asText());
        for (int k = 0; k < topK; k++) {
            double w = expected.get("weights").get(k).asDouble();
            assertEquals(w, weights[k], 1e-6 * Math.max(1, Math.abs(w)), c.get("name").asText() + " weight " + k);
        }
    }
}

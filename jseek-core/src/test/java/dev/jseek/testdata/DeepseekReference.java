package dev.jseek.testdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** One shared deepseek2 file with its references and tolerances (README-deepseek2.md). */
public record DeepseekReference(String model, String type, Path file, JsonNode manifest, JsonNode entry) {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String[] MODELS = {"deepseek2-lite", "deepseek2-v3", "deepseek2-lite-kvb"};

    @Override
    public String toString() {
        return model + "." + type;
    }

    public static List<DeepseekReference> all() {
        try {
            List<DeepseekReference> refs = new ArrayList<>();
            for (String model : MODELS) {
                JsonNode manifest = JSON.readTree(TestData.file("models/refs/" + model + ".json").toFile());
                for (Iterator<String> it = manifest.get("files").fieldNames(); it.hasNext(); ) {
                    String type = it.next();
                    JsonNode entry = manifest.get("files").get(type);
                    refs.add(new DeepseekReference(model, type, TestData.file("models/" + entry.get("gguf").asText()), manifest, entry));
                }
            }
            return refs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int[] promptIds() {
        return DenseReference.ints(manifest.get("prompt_ids"));
    }

    public int[] greedyIds() {
        return DenseReference.ints(entry.get("greedy_ids"));
    }

    public double tolerance(String name) {
        JsonNode t = entry.get("tolerance").get(name);
        return t == null || t.isNull() ? Double.NaN : t.asDouble();
    }

    /** A float32 matrix named by the entry's {@code key} (e.g. ref_logits_file). */
    public float[] floats(String key) throws IOException {
        Path p = TestData.file("models/" + entry.get(key).asText());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }
}

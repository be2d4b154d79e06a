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

/**
 * One shared dense model file with its llama.cpp references (README-dense.md): prompt, logits of
 * every prompt position, greedy continuation, perplexity and the tolerances for its type.
 */
public record DenseReference(String model, String type, Path file, JsonNode manifest, JsonNode entry,
                      double tolMaxAbs, double tolRms, double tolPplRel, double tolAct8) {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String[] MODELS = {"zoo", "llama-spm", "llama3", "qwen2", "qwen3"};

    @Override
    public String toString() {
        return model + "." + type;
    }

    /** Every model file listed by every dense manifest. */
    public static List<DenseReference> all() {
        try {
            JsonNode tolerances = JSON.readTree(TestData.file("models/refs/dense-tolerances.json").toFile());
            List<DenseReference> refs = new ArrayList<>();
            for (String model : MODELS) {
                JsonNode manifest = JSON.readTree(TestData.file("models/refs/" + model + ".json").toFile());
                for (Iterator<String> it = manifest.get("files").fieldNames(); it.hasNext(); ) {
                    String type = it.next();
                    JsonNode entry = manifest.get("files").get(type);
                    JsonNode tol = tolerances.get(type);
                    double maxAbs;
                    double rms;
                    double ppl;
                    double act8;
                    if (tol != null) {
                        maxAbs = tol.get("tol_exact").asDouble();
                        rms = tol.get("tol_rms").asDouble();
                        ppl = tol.get("tol_ppl_rel").asDouble();
                        act8 = tol.get("tol_act8").asDouble();
                    } else {
                        // Types only the zoo has: the README's rule, twice llama.cpp's measured
                        // distance from the float64 reference; with activation rounding, the
                        // tolerance of the type's activation family (Q8_0 blocks or Q8_K blocks),
                        // since a rounding-boundary flip can happen in any file of a family.
                        JsonNode measured = entry.get("llama_vs_numpy_f64");
                        maxAbs = 2 * measured.get("max_abs").asDouble();
                        rms = 2 * measured.get("rms").asDouble();
                        ppl = Double.NaN;
                        act8 = switch (type) {
                            case "Q4_1", "Q5_0", "Q5_1", "IQ4_NL" -> tolerances.get("Q8_0").get("tol_act8").asDouble();
                            case "Q2_K", "Q3_K", "Q5_K", "Q6_K", "IQ4_XS" -> tolerances.get("Q4_K").get("tol_act8").asDouble();
                            default -> 2 * entry.get("llama_vs_numpy_f64_act8").get("max_abs").asDouble();
                        };
                    }
                    refs.add(new DenseReference(model, type, TestData.file("models/" + entry.get("file").asText()),
                            manifest, entry, maxAbs, rms, ppl, act8));
                }
            }
            return refs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int[] promptIds() {
        return ints(manifest.get("prompt_ids"));
    }

    public int[] greedyIds() {
        return ints(entry.get("greedy_ids"));
    }

    public double[] greedyMargins() {
        JsonNode m = entry.get("greedy_margins");
        double[] out = new double[m.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = m.get(i).asDouble();
        }
        return out;
    }

    /** llama.cpp's logits of every prompt position, [positions][vocab]. */
    public float[] logits() throws IOException {
        Path p = TestData.file("models/" + entry.get("logits_file").asText());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}

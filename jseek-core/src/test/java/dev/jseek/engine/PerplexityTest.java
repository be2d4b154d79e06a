package dev.jseek.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.model.KvCache;
import dev.jseek.model.Model;
import dev.jseek.model.ModelLoader;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.WorkerPool;
import dev.jseek.testdata.DeepseekReference;
import dev.jseek.testdata.DenseReference;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Perplexity over the reference ids of every dense model file, against llama-perplexity's figure. */
class PerplexityTest {

    private static final WorkerPool POOL = new WorkerPool(2);
    private static final MatMul MATMUL = new MatMul(POOL);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static List<DenseReference> references() {
        return DenseReference.all();
    }

    static List<DeepseekReference> deepseekReferences() {
        return DeepseekReference.all();
    }

    /** deepseek2: 4 chunks of 128 against the float64 reference's perplexity (exact-engine bound). */
    @ParameterizedTest
    @MethodSource("deepseekReferences")
    void deepseekMatchesTheReference(DeepseekReference ref) throws IOException {
        int[] ids = DenseReference.ints(ref.manifest().get("perplexity").get("token_ids"));
        double expected = ref.entry().get("ppl_numpy_ref").asDouble();
        try (Model model = ModelLoader.load(ref.file(), MATMUL, new ModelLoader.Options(128, 64))) {
            Perplexity.Result r = Perplexity.compute(model, ids, 128, ref.manifest().get("bos_id").asInt(), KvCache.Type.F32);
            assertEquals(4, r.chunks());
            assertEquals(4 * 63, r.tokensScored());
            double rel = Math.abs(r.perplexity() - expected) / expected;
            double tol = ref.tolerance("ppl_rel_vs_numpy_ref");
            assertTrue(rel <= tol, ref + ": perplexity " + r.perplexity() + " vs " + expected + " (relative " + rel + ")");
        }
    }

    @ParameterizedTest
    @MethodSource("references")
    void matchesLlamaPerplexity(DenseReference ref) throws IOException {
        Assumptions.assumeTrue(ref.manifest().has("ppl_text_ids"), ref + ": the zoo vocabulary cannot tokenize the text, no perplexity");
        int[] ids = DenseReference.ints(ref.manifest().get("ppl_text_ids"));
        boolean addBos = ref.manifest().get("add_bos").asBoolean();
        int bos = ref.manifest().get("bos_id").asInt();
        double expected = ref.entry().get("ppl").get("value").asDouble();
        try (Model model = ModelLoader.load(ref.file(), MATMUL, new ModelLoader.Options(128, 64))) {
            Perplexity.Result r = Perplexity.compute(model, ids, 128, addBos ? bos : -1, KvCache.Type.F32);
            assertEquals(5, r.chunks());
            assertEquals(5 * 63, r.tokensScored());
            double rel = Math.abs(r.perplexity() - expected) / expected;
            assertTrue(rel <= ref.tolPplRel(), ref + ": perplexity " + r.perplexity() + " vs " + expected + " (relative " + rel + ")");
        }
    }
}

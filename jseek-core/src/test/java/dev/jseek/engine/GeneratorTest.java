package dev.jseek.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.model.KvCache;
import dev.jseek.model.Model;
import dev.jseek.model.ModelLoader;
import dev.jseek.sample.SamplingParams;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.WorkerPool;
import dev.jseek.testdata.DenseReference;
import dev.jseek.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The decode loop on real shared models: greedy as llama.cpp, reuse of a shared prefix, seeds, stops. */
class GeneratorTest {

    private static DenseReference ref(String model, String type) {
        return DenseReference.all().stream().filter(r -> r.model().equals(model) && r.type().equals(type)).findFirst().orElseThrow();
    }

    private static Model load(DenseReference ref, WorkerPool pool, int context) throws IOException {
        return ModelLoader.load(ref.file(), new MatMul(pool), new ModelLoader.Options(context, 8));
    }

    @Test
    void greedyGenerationMatchesLlamaCpp() throws IOException {
        DenseReference ref = ref("qwen3", "F32");
        try (WorkerPool pool = new WorkerPool(2); Model model = load(ref, pool, 128)) {
            Tokenizer tokenizer = Tokenizer.load(model.file().metadata());
            Session session = new Session(model, KvCache.Type.F32);
            Generator.Result r = new Generator(tokenizer).generate(session,
                    new Generator.Request(ref.promptIds(), SamplingParams.greedy(), 32, List.of(), true), piece -> { }, () -> false);
            assertArrayEquals(ref.greedyIds(), r.ids());
            assertEquals(Generator.StopReason.MAX_TOKENS, r.stopReason());
            assertEquals(tokenizer.decode(r.ids()), r.text());
            assertEquals(ref.promptIds().length + 31, session.length(), "the last token is sampled, not evaluated");
        }
    }

    @Test
    void aSharedPrefixIsReusedAndGivesTheSameLogits() throws IOException {
        DenseReference ref = ref("llama3", "F32");
        int[] prompt = ref.promptIds();
        try (WorkerPool pool = new WorkerPool(2); Model model = load(ref, pool, 64)) {
            int vocab = model.config().vocabSize();
            Session session = new Session(model, KvCache.Type.F32);
            float[] first = new float[vocab];
            assertEquals(0, session.prefill(java.util.Arrays.copyOf(prompt, 10), first));
            float[] reused = new float[vocab];
            assertEquals(10, session.prefill(prompt, reused));
            float[] fresh = new float[vocab];
            new Session(model, KvCache.Type.F32).prefill(prompt, fresh);
            assertArrayEquals(fresh, reused, 1e-5f);
            assertEquals(prompt.length - 1, session.prefill(prompt, reused), "an identical prompt re-evaluates only its last token");
        }
    }

    @Test
    void sameSeedSameTokensOnAnyThreadCount() throws IOException {
        DenseReference ref = ref("qwen2", "Q8_0");
        SamplingParams p = new SamplingParams(0.9f, 40, 0.95f, 0.05f, 1.1f, 64, 0f, 0f, 1234, Map.of());
        int[][] runs = new int[3][];
        for (int threads = 1; threads <= 3; threads++) {
            try (WorkerPool pool = new WorkerPool(threads); Model model = load(ref, pool, 96)) {
                Tokenizer tokenizer = Tokenizer.load(model.file().metadata());
                runs[threads - 1] = new Generator(tokenizer).generate(new Session(model, KvCache.Type.F16),
                        new Generator.Request(ref.promptIds(), p, 24, List.of(), true), s -> { }, () -> false).ids();
            }
        }
        assertArrayEquals(runs[0], runs[1]);
        assertArrayEquals(runs[0], runs[2]);
    }

    @Test
    void stopsAtTheContextEndAndOnCancel() throws IOException {
        DenseReference ref = ref("llama-spm", "F32");
        try (WorkerPool pool = new WorkerPool(2); Model model = load(ref, pool, 30)) {
            Tokenizer tokenizer = Tokenizer.load(model.file().metadata());
            Generator g = new Generator(tokenizer);
            Generator.Result full = g.generate(new Session(model, KvCache.Type.F16),
                    new Generator.Request(ref.promptIds(), SamplingParams.greedy(), -1, List.of(), true), s -> { }, () -> false);
            assertEquals(Generator.StopReason.CONTEXT_FULL, full.stopReason());
            assertEquals(30 - ref.promptIds().length + 1, full.ids().length);
            Generator.Result cancelled = g.generate(new Session(model, KvCache.Type.F16),
                    new Generator.Request(ref.promptIds(), SamplingParams.greedy(), 10, List.of(), true), s -> { }, () -> true);
            assertEquals(Generator.StopReason.CANCELLED, cancelled.stopReason());
            Session tooSmall = new Session(model, KvCache.Type.F16);
            int[] longPrompt = new int[31];
            assertThrows(Session.ContextFullException.class, () -> tooSmall.prefill(longPrompt, new float[model.config().vocabSize()]));
            assertTrue(full.prefillNanos() > 0);
        }
    }
}

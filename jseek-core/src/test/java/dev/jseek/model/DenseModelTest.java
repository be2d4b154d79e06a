package dev.jseek.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.tensor.MatMul;
import dev.jseek.testdata.DenseReference;
import dev.jseek.tensor.WorkerPool;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dense forward pass against llama.cpp on every shared dense model file (README-dense.md,
 * "What a Java test must do"): logits of every prompt position within the type's tolerance,
 * greedy continuation while the reference margins exceed twice the tolerance.
 * All with an F32 KV cache, as the references were made.
 */
class DenseModelTest {

    static final WorkerPool POOL = new WorkerPool(2);
    static final MatMul MATMUL = new MatMul(POOL);
    /** llama.cpp's activation rounding ("act8" in the test data), checked against its tighter tolerance. */
    static final MatMul LLAMA_CPP_ACTIVATIONS = new MatMul(POOL, true);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static List<DenseReference> references() {
        return DenseReference.all();
    }

    static Model load(DenseReference ref, MatMul matmul) throws IOException {
        return ModelLoader.load(ref.file(), matmul, new ModelLoader.Options(512, 16));
    }

    @ParameterizedTest
    @MethodSource("references")
    void logitsOfEveryPromptPosition(DenseReference ref) throws IOException {
        checkLogits(ref, MATMUL, ref.tolMaxAbs(), ref.tolRms());
    }

    /** With llama.cpp's activation rounding the logits must come closer: within tol_act8 (max abs). */
    @ParameterizedTest
    @MethodSource("references")
    void logitsWithLlamaCppActivations(DenseReference ref) throws IOException {
        checkLogits(ref, LLAMA_CPP_ACTIVATIONS, ref.tolAct8(), Double.POSITIVE_INFINITY);
    }

    private static void checkLogits(DenseReference ref, MatMul matmul, double tolMaxAbs, double tolRms) throws IOException {
        float[] expected = ref.logits();
        int[] prompt = ref.promptIds();
        try (Model model = load(ref, matmul)) {
            int vocab = model.config().vocabSize();
            assertEquals(prompt.length * vocab, expected.length, "reference logits shape");
            float[] actual = new float[prompt.length * vocab];
            model.forward(prompt, 0, prompt.length, 0, model.newCache(KvCache.Type.F32), actual, true);
            double maxAbs = 0;
            double sumSq = 0;
            int worst = 0;
            for (int i = 0; i < actual.length; i++) {
                double d = Math.abs(actual[i] - expected[i]);
                sumSq += d * d;
                if (d > maxAbs) {
                    maxAbs = d;
                    worst = i;
                }
            }
            double rms = Math.sqrt(sumSq / actual.length);
            String where = " (worst at position " + worst / vocab + ", token " + worst % vocab + ")";
            assertTrue(maxAbs <= tolMaxAbs, ref + ": max |diff| " + maxAbs + " > " + tolMaxAbs + where);
            assertTrue(rms <= tolRms, ref + ": rms diff " + rms + " > " + tolRms);
            for (int p = 0; p < prompt.length; p++) {
                int[] top = top2(expected, p * vocab, vocab);
                if (expected[p * vocab + top[0]] - expected[p * vocab + top[1]] > 2 * tolMaxAbs) {
                    assertEquals(top[0], argmax(actual, p * vocab, vocab), ref + ": argmax at position " + p);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("references")
    void greedyContinuation(DenseReference ref) throws IOException {
        checkGreedy(ref, MATMUL, ref.tolMaxAbs());
    }

    /** With llama.cpp's activation rounding, greedy ids are comparable while margins exceed 2 x tol_act8. */
    @ParameterizedTest
    @MethodSource("references")
    void greedyWithLlamaCppActivations(DenseReference ref) throws IOException {
        checkGreedy(ref, LLAMA_CPP_ACTIVATIONS, ref.tolAct8());
    }

    private static void checkGreedy(DenseReference ref, MatMul matmul, double tolerance) throws IOException {
        int[] expected = ref.greedyIds();
        double[] margins = ref.greedyMargins();
        int comparable = 0;
        while (comparable < expected.length && margins[comparable] > 2 * tolerance) {
            comparable++;
        }
        Assumptions.assumeTrue(comparable > 0, ref + ": the first greedy margin is within the tolerance, nothing to compare");
        int[] prompt = ref.promptIds();
        try (Model model = load(ref, matmul)) {
            KvCache cache = model.newCache(KvCache.Type.F32);
            float[] logits = new float[model.config().vocabSize()];
            model.forward(prompt, 0, prompt.length, 0, cache, logits, false);
            int[] actual = new int[comparable];
            int[] one = new int[1];
            for (int i = 0; i < comparable; i++) {
                actual[i] = argmax(logits, 0, logits.length);
                one[0] = actual[i];
                model.forward(one, 0, 1, prompt.length + i, cache, logits, false);
            }
            assertArrayEquals(Arrays.copyOf(expected, comparable), actual, ref + ": first " + comparable + " greedy ids");
            if (ref.type().equals("F32")) {
                assertEquals(expected.length, comparable, "F32 margins all exceed the tolerance");
            }
        }
    }

    static int argmax(float[] x, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[offset + i] > x[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    private static int[] top2(float[] x, int offset, int n) {
        int a = argmax(x, offset, n);
        int b = a == 0 ? 1 : 0;
        for (int i = 0; i < n; i++) {
            if (i != a && x[offset + i] > x[offset + b]) {
                b = i;
            }
        }
        return new int[] {a, b};
    }
}

package dev.jseek.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each step of the chain on its own, then the whole sampler. */
class SamplerStepsTest {

    private static Candidates of(float... logits) {
        Candidates c = new Candidates(logits.length);
        c.reset(logits);
        return c;
    }

    private static int[] ids(Candidates c) {
        return Arrays.copyOf(c.ids, c.size);
    }

    private static float[] probs(float... logits) {
        double max = Arrays.stream(toDouble(logits)).max().orElseThrow();
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (Math.exp(logits[i] - max) / sum);
        }
        return p;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void topKKeepsTheKLargestInOrder() {
        Candidates c = of(0.1f, 3f, -2f, 2f, 5f, 2f);
        new TopK(3).apply(c);
        assertArrayEquals(new int[] {4, 1, 3}, ids(c));
        Candidates all = of(1f, 2f);
        new TopK(0).apply(all);
        assertEquals(2, all.size);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        float l = (float) Math.log(0.5);
        Candidates c = of((float) Math.log(0.2), l, (float) Math.log(0.3));
        new TopP(0.75f).apply(c);
        assertArrayEquals(new int[] {1, 2}, ids(c));
        assertEquals(0.625f, c.logits[0], 1e-6f);
        assertEquals(0.375f, c.logits[1], 1e-6f);
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheBest() {
        Candidates c = of((float) Math.log(0.6), (float) Math.log(0.1), (float) Math.log(0.3));
        new MinP(0.2f).apply(c);
        assertArrayEquals(new int[] {0, 2}, ids(c));
    }

    @Test
    void temperatureScalesLogitsOrProbabilitiesAlike() {
        Candidates a = of(1f, 2f, 4f);
        new Temperature(0.5f).apply(a);
        assertArrayEquals(new float[] {2f, 4f, 8f}, Arrays.copyOf(a.logits, 3));
        Candidates b = of(1f, 2f, 4f);
        b.softmax();
        new Temperature(0.5f).apply(b);
        float[] expected = probs(2f, 4f, 8f);
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], b.logits[i], 1e-6f);
        }
        assertThrows(IllegalArgumentException.class, () -> new Temperature(0f));
    }

    @Test
    void penaltiesAsLlamaCpp() {
        Penalties p = new Penalties(4, 2, 2f, 0.5f, 1f);
        p.accept(1);
        p.accept(1);
        p.accept(2);
        Candidates c = of(1f, 4f, -3f, 4f);
        p.apply(c);
        // The window of 2 holds [1, 2]: token 1: 4/2 - 1*0.5 - 1; token 2: -3*2 - 1*0.5 - 1; 0 and 3 unseen.
        assertArrayEquals(new float[] {1f, 0.5f, -7.5f, 4f}, Arrays.copyOf(c.logits, 4));
        p.reset();
        Candidates d = of(1f, 4f, -3f, 4f);
        p.apply(d);
        assertArrayEquals(new float[] {1f, 4f, -3f, 4f}, Arrays.copyOf(d.logits, 4));
    }

    @Test
    void logitBiasCanBanAToken() {
        Candidates c = of(1f, 9f, 2f);
        new LogitBias(Map.of(1, Float.NEGATIVE_INFINITY, 2, 0.5f)).apply(c);
        assertEquals(Float.NEGATIVE_INFINITY, c.logits[1]);
        assertEquals(2.5f, c.logits[2]);
    }

    @Test
    void greedyPicksTheArgmaxFirstIndexOnTies() {
        Sampler s = new Sampler(SamplingParams.greedy(), 4, 16);
        assertEquals(1, s.sample(new float[] {0f, 3f, 3f, -1f}));
    }

    @Test
    void sameSeedSameTokensAndTheDrawFollowsTheDistribution() {
        SamplingParams p = new SamplingParams(1f, 0, 1f, 0f, 1f, 0, 0f, 0f, 7, Map.of());
        float[] logits = {0f, 1f, 2f, (float) Math.log(0.001)};
        Sampler a = new Sampler(p, 4, 16);
        Sampler b = new Sampler(p, 4, 16);
        int[] counts = new int[4];
        int n = 20000;
        for (int i = 0; i < n; i++) {
            int x = a.sample(logits);
            assertEquals(x, b.sample(logits));
            counts[x]++;
        }
        float[] expected = probs(logits);
        for (int i = 0; i < 4; i++) {
            double sd = Math.sqrt(n * expected[i] * (1 - expected[i]));
            assertTrue(Math.abs(counts[i] - n * expected[i]) < 5 * sd + 1, "token " + i + ": " + counts[i] + " vs " + n * expected[i]);
        }
        Sampler other = new Sampler(new SamplingParams(1f, 0, 1f, 0f, 1f, 0, 0f, 0f, 8, Map.of()), 4, 16);
        int[] first = new int[50];
        int[] second = new int[50];
        a.reset();
        for (int i = 0; i < 50; i++) {
            first[i] = a.sample(logits);
            second[i] = other.sample(logits);
        }
        assertNotEquals(Arrays.toString(first), Arrays.toString(second), "different seeds give different draws");
    }
}

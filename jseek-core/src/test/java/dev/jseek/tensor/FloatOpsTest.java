package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class FloatOpsTest {

    /**
     * The lane sum follows one fixed order whether the Vector API runs interpreted (its Java
     * fallback) or compiled by C2: the first calls below run in the interpreter, the last ones
     * compiled. Values of mixed magnitude make any other order round differently.
     */
    @Test
    void laneSumHasOneOrderInterpretedAndCompiled() {
        Random random = new Random(7);
        for (VectorSpecies<Float> species : java.util.List.of(FloatVector.SPECIES_128, FloatVector.SPECIES_PREFERRED)) {
            int n = species.length();
            float[] a = new float[n];
            for (int rep = 0; rep < 30_000; rep++) {
                for (int i = 0; i < n; i++) {
                    a[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8)));
                }
                assertEquals(fixedOrder(a, 0, n), FloatOps.sum(species, FloatVector.fromArray(species, a, 0)),
                        species + " call " + rep);
            }
        }
    }

    /** The scalar lane sum the kernels end with adds in the same order as the vector one. */
    @Test
    void sumLanesFollowsTheSameOrder() {
        Random random = new Random(11);
        for (VectorSpecies<Float> species : java.util.List.of(FloatVector.SPECIES_64, FloatVector.SPECIES_128,
                FloatVector.SPECIES_256, FloatVector.SPECIES_512)) {
            int n = species.length();
            float[] a = new float[n];
            for (int rep = 0; rep < 1000; rep++) {
                for (int i = 0; i < n; i++) {
                    a[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8)));
                }
                float want = FloatOps.sum(species, FloatVector.fromArray(species, a, 0));
                assertEquals(want, FloatOps.sumLanes(a.clone(), n), species + " call " + rep);
            }
        }
    }

    /** Lanes i and i + n/2 paired until four are left, then (0 + 2) + (1 + 3); two lanes are added. */
    private static float fixedOrder(float[] a, int from, int n) {
        if (n == 2) {
            return a[from] + a[from + 1];
        }
        if (n == 4) {
            return (a[from] + a[from + 2]) + (a[from + 1] + a[from + 3]);
        }
        float[] halves = new float[n / 2];
        for (int i = 0; i < n / 2; i++) {
            halves[i] = a[from + i] + a[from + i + n / 2];
        }
        return fixedOrder(halves, 0, n / 2);
    }

    /**
     * exp is within 1 ulp of Math.exp over the range that matters (e^-87.3 to e^88.4), 0 below
     * and infinity above it, and the vector version gives the same bits in every lane, hot and
     * cold, so softmax and SwiGLU give the same result wherever a loop is split.
     */
    @Test
    void expIsCloseToMathExpAndTheSameInVectors() {
        VectorSpecies<Float> species = FloatVector.SPECIES_PREFERRED;
        int lanes = species.length();
        float[] xs = new float[lanes];
        float[] vector = new float[lanes];
        Random random = new Random(5);
        int worst = 0;
        for (int rep = 0; rep < 200_000; rep++) {
            for (int i = 0; i < lanes; i++) {
                xs[i] = rep < 100_000 ? -87.3f + (175.6f * (rep * lanes + i)) / (100_000 * lanes) : (float) (random.nextGaussian() * 20);
            }
            FloatOps.exp(FloatVector.fromArray(species, xs, 0)).intoArray(vector, 0);
            for (int i = 0; i < lanes; i++) {
                float x = xs[i];
                float scalar = FloatOps.exp(x);
                assertEquals(Float.floatToRawIntBits(scalar), Float.floatToRawIntBits(vector[i]), "vector and scalar exp(" + x + ")");
                if (x >= -87.3f && x <= 88.3f) {
                    int ulps = Math.abs(Float.floatToRawIntBits(scalar) - Float.floatToRawIntBits((float) Math.exp(x)));
                    worst = Math.max(worst, ulps);
                }
            }
        }
        assertTrue(worst <= 1, "exp within 1 ulp of Math.exp, worst " + worst);
        assertEquals(1f, FloatOps.exp(0f));
        assertEquals(1f, FloatOps.exp(-0f));
        float[] special = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -100f, -87.4f, 88.4f, 1000f};
        float[] want = {Float.NaN, 0f, Float.POSITIVE_INFINITY, 0f, 0f, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY};
        for (int i = 0; i < special.length; i++) {
            assertEquals(want[i], FloatOps.exp(special[i]), "exp(" + special[i] + ")");
            float[] one = new float[lanes];
            java.util.Arrays.fill(one, special[i]);
            assertEquals(want[i], FloatOps.exp(FloatVector.fromArray(species, one, 0)).lane(0), "vector exp(" + special[i] + ")");
        }
    }

    /** SwiGLU gives the same bits however the loop is cut (as worker threads cut it), and stays close to the formula in double. */
    @Test
    void swigluIsTheSameWhereverTheLoopIsSplit() {
        Random random = new Random(9);
        int n = 1000;
        float[] gate = new float[n];
        float[] up = new float[n];
        for (int i = 0; i < n; i++) {
            gate[i] = (float) (random.nextGaussian() * 4);
            up[i] = (float) random.nextGaussian();
        }
        float[] whole = gate.clone();
        FloatOps.swiglu(whole, 0, up, 0, n);
        for (int cut : new int[] {1, 3, 7, 13, 500, 999}) {
            float[] split = gate.clone();
            FloatOps.swiglu(split, 0, up, 0, cut);
            FloatOps.swiglu(split, cut, up, cut, n - cut);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(split[i]), "cut at " + cut + ", element " + i);
            }
        }
        for (int i = 0; i < n; i++) {
            double g = gate[i];
            double want = g / (1 + Math.exp(-g)) * up[i];
            assertEquals(want, whole[i], 1e-6 * Math.abs(want) + 1e-30, "element " + i);
        }
    }
}

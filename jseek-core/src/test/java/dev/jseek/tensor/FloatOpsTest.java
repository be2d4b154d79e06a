package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /**
     * Adding weighted rows with the sums held in registers gives, bit for bit, what one
     * {@code axpy} per row gives, for row lengths with and without a vector tail and for any
     * number of rows; the elements outside the slice stay as they were.
     */
    @Test
    void weightedRowsAddUpAsOneAxpyPerRow() {
        Random random = new Random(13);
        for (int n : new int[] {1, 3, 8, 16, 24, 63, 64, 65, 128, 130, 512}) {
            for (int count : new int[] {0, 1, 2, 5, 16, 17}) {
                float[] rows = new float[3 + count * n];
                float[] weights = new float[2 + count];
                float[] y = new float[n + 4];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(6)));
                }
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = random.nextFloat();
                }
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) random.nextGaussian();
                }
                float[] want = y.clone();
                for (int r = 0; r < count; r++) {
                    FloatOps.axpy(want, 1, weights[2 + r], rows, 3 + r * n, n);
                }
                FloatOps.addWeightedRows(y, 1, n, rows, 3, weights, 2, count);
                for (int i = 0; i < y.length; i++) {
                    assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(y[i]),
                            "n " + n + ", " + count + " rows, element " + i);
                }
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
     * and infinity above it, and the loop's vector lanes give the same bits as its scalar tail,
     * hot and cold, so softmax and SwiGLU give the same result wherever a loop is split.
     */
    @Test
    void expIsCloseToMathExpAndTheSameInVectors() {
        int n = 4 * FloatVector.SPECIES_PREFERRED.length() + 3;
        float[] xs = new float[n];
        float[] out = new float[n];
        Random random = new Random(5);
        int worst = 0;
        for (int rep = 0; rep < 100_000; rep++) {
            for (int i = 0; i < n; i++) {
                xs[i] = rep < 50_000 ? -87.3f + (175.6f * (rep * n + i)) / (50_000 * n) : (float) (random.nextGaussian() * 20);
            }
            FloatOps.exp(out, 0, xs, 0, n, 1f, 0f);
            for (int i = 0; i < n; i++) {
                float x = xs[i];
                float scalar = FloatOps.exp(x);
                assertEquals(Float.floatToRawIntBits(scalar), Float.floatToRawIntBits(out[i]), "vector and scalar exp(" + x + ")");
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
            float[] same = new float[n];
            java.util.Arrays.fill(same, special[i]);
            FloatOps.exp(out, 0, same, 0, n, 1f, 0f);
            assertEquals(want[i], out[0], "vector exp(" + special[i] + ")");
        }
    }

    /** The argument is sign * x - shift: softmax's x - max and SwiGLU's -x, each as one exact operation. */
    @Test
    void expTakesItsArgumentAsSignTimesXLessShift() {
        float[] xs = new float[37];
        Random random = new Random(3);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (random.nextGaussian() * 10);
        }
        float[] out = new float[xs.length + 2];
        FloatOps.exp(out, 2, xs, 0, xs.length, -1f, 0f);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(FloatOps.exp(-xs[i]), out[2 + i], "e^-x at " + i);
        }
        FloatOps.exp(out, 1, xs, 0, xs.length, 1f, 2.5f);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(FloatOps.exp(xs[i] - 2.5f), out[1 + i], "e^(x - 2.5) at " + i);
        }
    }

    /** SwiGLU gives the same bits however the loop is cut (as worker threads and its scratch cut it), and stays close to the formula in double. */
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
        FloatOps.swiglu(whole, 0, up, 0, n, new float[n]);
        assertThrows(IllegalArgumentException.class, () -> FloatOps.swiglu(gate.clone(), 0, up, 0, n, new float[0]));
        for (int cut : new int[] {1, 3, 7, 13, 500, 999}) {
            float[] split = gate.clone();
            float[] scratch = new float[37];
            FloatOps.swiglu(split, 0, up, 0, cut, scratch);
            FloatOps.swiglu(split, cut, up, cut, n - cut, scratch);
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

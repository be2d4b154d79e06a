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

    /**
     * Every one of the 65536 half floats (zeros, subnormals, normals, infinities, NaNs) converts
     * to the float {@link Float#float16ToFloat} gives, bit for bit (any NaN for a NaN), in the
     * interpreter and once compiled.
     */
    @Test
    void halvesConvertExactly() {
        VectorSpecies<Float> species = FloatVector.SPECIES_PREFERRED;
        // Room after the last value: with 64-bit vectors the load takes four halves for two lanes.
        short[] h = new short[65536 + 2];
        for (int i = 0; i < h.length; i++) {
            h[i] = (short) i;
        }
        float[] lanes = new float[species.length()];
        for (int rep = 0; rep < 40; rep++) {
            for (int at = 0; at < 65536; at += species.length()) {
                FloatOps.halves(h, at).intoArray(lanes, 0);
                if (rep % 20 == 0 || at % 4096 == 0) {
                    for (int i = 0; i < lanes.length; i++) {
                        assertEquals(Float.float16ToFloat(h[at + i]), lanes[i], "half 0x" + Integer.toHexString(at + i) + " call " + rep);
                    }
                }
            }
        }
    }

    /** The dot product with half floats agrees with a double-precision one within the worst case of float rounding (n steps of 2^-24, doubled). */
    @Test
    void dotHalvesMatchesDoublePrecision() {
        Random random = new Random(5);
        for (int n : new int[] {1, 7, 64, 128, 131, 576}) {
            for (int rep = 0; rep < 300; rep++) {
                short[] h = new short[n + 2];
                float[] x = new float[n + 1];
                double want = 0;
                double magnitude = 0;
                for (int i = 0; i < n; i++) {
                    h[i + 2] = Float.floatToFloat16((float) random.nextGaussian());
                    x[i + 1] = (float) random.nextGaussian();
                    double term = (double) Float.float16ToFloat(h[i + 2]) * x[i + 1];
                    want += term;
                    magnitude += Math.abs(term);
                }
                float got = FloatOps.dotHalves(h, 2, x, 1, n);
                assertTrue(Math.abs(got - want) <= n * 0x1p-23 * magnitude, "n=" + n + ": " + got + " vs " + want);
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
}

package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}

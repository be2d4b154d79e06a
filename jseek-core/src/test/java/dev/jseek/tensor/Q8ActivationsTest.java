package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 8-bit rounding, done in vectors, against its definition written out one value at a time
 * (ggml's quantize_row_q8_0 and quantize_row_q8_K): random values, halves that must go to the
 * even integer, zero blocks and blocks whose extreme is negative, interpreted and compiled; and
 * the copy Q4_0's kernel reads with 256-bit vectors.
 */
class Q8ActivationsTest {

    @Test
    void roundsAsGgmlDoes() {
        Random random = new Random(17);
        Q8Activations q8 = new Q8Activations();
        for (int rep = 0; rep < 3000; rep++) {
            int n = 512;
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
            }
            // A block of halves: 127 times the extreme, then every value an odd multiple of a half step.
            for (int i = 0; i < 32; i++) {
                x[i] = (2 * (i - 16) + 1) * 0.5f;
            }
            x[31] = 127;
            java.util.Arrays.fill(x, 256, 288, 0f);
            x[300] = -1e4f;
            for (Q8Activations.Format format : Q8Activations.Format.values()) {
                q8.quantize(format, x, n);
                for (int b = 0; b < n / format.block; b++) {
                    int at = b * format.block;
                    float scale = format == Q8Activations.Format.Q8_0 ? q8_0(x, at, q8.values()) : q8_K(x, at, q8.values());
                    assertEquals(scale, q8.scales()[b], format + " scale of block " + b);
                    if (format == Q8Activations.Format.Q8_0 && !Q8Activations.NIBBLE_ORDER) {
                        folded(q8.values(), at, q8.byteFolded());
                    }
                }
            }
        }
    }

    /** Checks block {@code at}'s values and returns the scale the definition gives. */
    private static float q8_0(float[] x, int at, short[] got) {
        float amax = 0;
        for (int i = 0; i < 32; i++) {
            amax = Math.max(amax, Math.abs(x[at + i]));
        }
        float id = amax != 0 ? 127f / amax : 0f;
        for (int i = 0; i < 32; i++) {
            assertEquals((short) Math.rint(x[at + i] * id), got[at + i], "Q8_0 value " + (at + i));
        }
        return Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
    }

    /** Q4_0's order at 256 bits: values 0-15 of the block, then value 16 + j less 16 times value j. */
    private static void folded(short[] values, int at, short[] got) {
        for (int j = 0; j < 16; j++) {
            assertEquals(values[at + j], got[at + j], "folded value " + (at + j));
            assertEquals(values[at + 16 + j] - 16 * values[at + j], got[at + 16 + j], "folded value " + (at + 16 + j));
        }
    }

    private static float q8_K(float[] x, int at, short[] got) {
        float max = FloatOps.signedExtreme(x, at, 256);
        float iscale = max == 0 ? 0 : -127f / max;
        for (int i = 0; i < 256; i++) {
            assertEquals(max == 0 ? 0 : (short) Math.min(127, (int) Math.rint(iscale * x[at + i])), got[at + i], "Q8_K value " + (at + i));
        }
        return max == 0 ? 0 : 1 / iscale;
    }
}

package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 8-bit rounding, done in vectors, against its definition written out one value at a time
 * (ggml's quantize_row_q8_0 and quantize_row_q8_K): random values, halves that must go to the
 * even integer, zero blocks and blocks whose extreme is negative or has an equal of the other sign
 * further on, interpreted and compiled; the values as bytes at 512 bits, the copies Q4_0's kernel reads with 256- and 512-bit vectors,
 * the K-quants' sums and paired copy, and Q4_K's own copy at 512 bits.
 */
class Q8ActivationsTest {

    @Test
    void roundsAsGgmlDoes() {
        Random random = new Random(17);
        Q8Activations q8 = new Q8Activations();
        for (int rep = 0; rep < 3000; rep++) {
            // 19 blocks of 32 for Q8_0: at 512 bits Q4_0's copies hold four fours, a pair and a block without a partner.
            float[] x = new float[608];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
            }
            // A block of halves: 127 times the extreme, then every value an odd multiple of a half step.
            for (int i = 0; i < 32; i++) {
                x[i] = (2 * (i - 16) + 1) * 0.5f;
            }
            x[31] = 127;
            java.util.Arrays.fill(x, 256, 288, 0f);
            x[300] = -1e4f;
            x[400] = 1e4f;  // the same magnitude later: the first, negative, sets Q8_K's scale
            for (Q8Activations.Format format : Q8Activations.Format.values()) {
                int n = format == Q8Activations.Format.Q8_0 ? 608 : 512;
                q8.quantize(format, x, n);
                for (int i = 0; Q8Activations.WIDE && i < n; i++) {
                    assertEquals((byte) q8.values()[i], q8.valueBytes()[i], format + " value byte " + i);
                }
                for (int b = 0; b < n / format.block; b++) {
                    int at = b * format.block;
                    float scale = format == Q8Activations.Format.Q8_0 ? q8_0(x, at, q8.values()) : q8_K(x, at, q8.values());
                    assertEquals(scale, q8.scales()[b], format + " scale of block " + b);
                    // At 512 bits whole fours of blocks take Q4_0's four-block copy instead of the folded one.
                    boolean inQuads = Q8Activations.WIDE && b < n / 128 * 4;
                    if (format == Q8Activations.Format.Q8_0 && !Q8Activations.NIBBLE_ORDER && !inQuads) {
                        folded(q8.values(), b, n / 32, q8.byteFolded());
                    }
                    if (format == Q8Activations.Format.Q8_0 && inQuads) {
                        quads(q8.values(), b, scale, q8);
                    }
                }
                if (format == Q8Activations.Format.Q8_K) {
                    sums(q8.values(), n, q8.sums16(), q8.sums32());
                    paired(q8.values(), n, q8.paired());
                    if (Q8Activations.WIDE) {
                        q4kOrder(q8.values(), n, q8.q4kOrder());
                        q4kMinSums(q8.sums32(), n, q8.q4kMinSums());
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

    /**
     * Q4_0's copy at 256 and 512 bits: block {@code block}'s values 0-15 (the low run), and value
     * 16 + j less 16 times value j (the high run). At 256 bits, and for a last block without a
     * partner at 512 bits, the block's 32 places hold its low run, then its high run; a pair of
     * blocks at 512 bits holds the two low runs, then the two high runs.
     */
    private static void folded(short[] values, int block, int blocks, short[] got) {
        boolean paired = Q8Activations.WIDE && block < (blocks & ~1);
        int low = paired ? (block & ~1) * 32 + 16 * (block & 1) : block * 32;
        int high = paired ? low + 32 : low + 16;
        int at = block * 32;
        for (int j = 0; j < 16; j++) {
            assertEquals(values[at + j], got[low + j], "folded value " + (at + j));
            assertEquals(values[at + 16 + j] - 16 * values[at + j], got[high + j], "folded value " + (at + 16 + j));
        }
    }

    /**
     * Q4_0's copy at 512 bits, four blocks at a time: block {@code block} is part k of its four,
     * and lane 8k + l of each run of 32 meets weights 2l and 2l+1 (the low nibbles of its bytes
     * 2l and 2l+1), then 2l+16 and 2l+17: the first run holds the even weight's value, the second
     * the odd one's less 256 times the even, the third and fourth the same for the high nibbles.
     * Its 8 offset lanes each hold minus the block's sum, its 4 scale lanes its scale times 2^112.
     */
    private static void quads(short[] values, int block, float scale, Q8Activations q8) {
        int group = block / 4 * 128;
        int k = block % 4;
        int at = block * 32;
        int sum = 0;
        for (int i = 0; i < 32; i++) {
            sum += values[at + i];
        }
        for (int l = 0; l < 8; l++) {
            int lane = group + 8 * k + l;
            assertEquals(values[at + 2 * l], q8.quadOrder()[lane], "quad value " + (at + 2 * l));
            assertEquals((short) (values[at + 2 * l + 1] - 256 * values[at + 2 * l]), q8.quadOrder()[lane + 32], "quad value " + (at + 2 * l + 1));
            assertEquals(values[at + 2 * l + 16], q8.quadOrder()[lane + 64], "quad value " + (at + 2 * l + 16));
            assertEquals((short) (values[at + 2 * l + 17] - 256 * values[at + 2 * l + 16]), q8.quadOrder()[lane + 96], "quad value " + (at + 2 * l + 17));
            assertEquals(-sum, q8.quadOffsets()[group / 4 + 8 * k + l], "quad offset of block " + block);
        }
        for (int lane = 0; lane < 4; lane++) {
            assertEquals(scale * 0x1p112f, q8.quadScales()[group / 8 + 4 * k + lane], "quad scale of block " + block);
        }
    }

    /**
     * The K-quants' copy: each run of {@link Q8Activations#PAIR_RUN} values, its even places
     * first, then its odd, at 512 bits less 256 times the even neighbour.
     */
    private static void paired(short[] values, int n, short[] got) {
        int half = Q8Activations.PAIR_RUN / 2;
        for (int run = 0; run < n; run += Q8Activations.PAIR_RUN) {
            for (int i = 0; i < half; i++) {
                assertEquals(values[run + 2 * i], got[run + i], "paired place " + (run + i));
                short odd = (short) (values[run + 2 * i + 1] - (Q8Activations.WIDE ? 256 * values[run + 2 * i] : 0));
                assertEquals(odd, got[run + half + i], "paired place " + (run + half + i));
            }
        }
    }

    /**
     * Q4_K's copy at 512 bits: per 128 values, the even values of 0-31 and 64-95, then the odd ones
     * less 256 times their even neighbour, then the same for 32-63 and 96-127.
     */
    private static void q4kOrder(short[] values, int n, short[] got) {
        int[][] runs = {{0, 64}, {32, 96}};
        for (int at = 0; at < n; at += 128) {
            for (int part = 0; part < 2; part++) {
                for (int k = 0; k < 32; k++) {
                    int even = at + runs[part][k / 16] + 2 * (k % 16);
                    int place = at + 64 * part + k;
                    assertEquals(values[even], got[place], "Q4_K place " + place);
                    assertEquals((short) (values[even + 1] - 256 * values[even]), got[place + 32], "Q4_K place " + (place + 32));
                }
            }
        }
    }

    /** Q4_K's 16 lanes per block of 256: zeros where the scales sit, then minus the block's eight sums of 32. */
    private static void q4kMinSums(int[] sums32, int n, float[] got) {
        for (int b = 0; b < n / 256; b++) {
            for (int k = 0; k < 8; k++) {
                assertEquals(0f, got[16 * b + k], "Q4_K scale lane " + k + " of block " + b);
                assertEquals(-sums32[8 * b + k], got[16 * b + 8 + k], "Q4_K min lane " + k + " of block " + b);
            }
        }
    }

    /** The Q8_K sums: of each run of 16 values and of each run of 32. */
    private static void sums(short[] values, int n, int[] sums16, int[] sums32) {
        for (int run = 0; run < n / 16; run++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) {
                sum += values[16 * run + i];
            }
            assertEquals(sum, sums16[run], "sum of 16 number " + run);
            if (run % 2 == 1) {
                assertEquals(sums16[run - 1] + sum, sums32[run / 2], "sum of 32 number " + run / 2);
            }
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

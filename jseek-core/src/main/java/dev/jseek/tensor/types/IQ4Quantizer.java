package dev.jseek.tensor.types;

import dev.jseek.tensor.FloatOps;

/**
 * What IQ4_NL and IQ4_XS share: the non-linear 4-bit grid and ggml's scale search for 32
 * weights on it (quantize_row_iq4_nl_impl as llama-quantize runs it: seven extra tries on each
 * side, weights x^2, no importance matrix), in ggml's single-precision arithmetic.
 */
final class IQ4Quantizer {

    /** ggml's kvalues_iq4nl, ascending: the value each 4-bit index stands for. */
    static final byte[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /** Extra scales tried on each side of the first guess (ggml's ntry). */
    private static final int TRIES = 7;

    private IQ4Quantizer() {
    }

    /**
     * The index of the grid value nearest to {@code x}; exactly between two values the upper one.
     * Compares 2x with the sum of neighbours so the midpoints are exact.
     */
    static int nearestIndex(float x) {
        float twice = x + x;
        int idx = 0;
        for (int step = 8; step > 0; step >>= 1) {
            int j = idx + step;
            if (twice >= (float) (VALUES[j - 1] + VALUES[j])) {
                idx = j;
            }
        }
        return idx;
    }

    /**
     * The scale for the 32 weights at {@code x[xo]}: the one mapping the largest magnitude to
     * the grid's end, refined by weighted least squares, then 15 other starting scales
     * (grid end + -7..7 over the largest value), keeping the best fit. 0 for an all-zero block.
     */
    static float fit(float[] x, int xo) {
        float max = FloatOps.signedExtreme(x, xo, 32);
        float amax = Math.abs(max);
        if (amax < KQuantizer.GROUP_MAX_EPS) {
            return 0f;
        }
        float d = -max / VALUES[0];
        float id = 1 / d;
        float sumqx = 0;
        float sumq2 = 0;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            float q = VALUES[nearestIndex(id * v)];
            float w = v * v;
            sumqx += w * q * v;
            sumq2 += w * q * q;
        }
        d = sumq2 > 0 ? sumqx / sumq2 : 0f;
        float best = d * sumqx;
        for (int t = -TRIES; t <= TRIES; t++) {
            id = (t + VALUES[0]) / max;
            sumqx = 0;
            sumq2 = 0;
            for (int j = 0; j < 32; j++) {
                float v = x[xo + j];
                float q = VALUES[nearestIndex(id * v)];
                float w = v * v;
                sumqx += w * q * v;
                sumq2 += w * q * q;
            }
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        return d;
    }

    /**
     * Writes the 16 bytes of indices of the 32 weights at {@code x[xo]} scaled by {@code id} to
     * {@code blk[off]}: byte j holds weight j in its low nibble and weight 16+j in its high one.
     */
    static void encode(float[] x, int xo, float id, byte[] blk, int off) {
        for (int j = 0; j < 16; j++) {
            int lo = nearestIndex(id * x[xo + j]);
            int hi = nearestIndex(id * x[xo + 16 + j]);
            blk[off + j] = (byte) (lo | hi << 4);
        }
    }
}

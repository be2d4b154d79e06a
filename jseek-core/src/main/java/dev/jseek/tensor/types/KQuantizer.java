package dev.jseek.tensor.types;

import dev.jseek.tensor.FloatOps;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/**
 * The searches ggml's reference K-quant quantizers (no importance matrix) run to pick the scales
 * and quants of a super-block. Files written by llama-quantize must come out byte for byte, so
 * every routine keeps ggml's arithmetic: single-precision throughout, the same order of each
 * sum and product, the same loop order and the same strict comparisons (so ties keep the
 * earlier candidate).
 *
 * <p>Quant levels are collected in {@link Scratch#levels}, one byte per weight, and packed into
 * the block by the type. One {@link Scratch} serves a whole {@code quantize} call.
 */
final class KQuantizer {

    /** Sub-blocks whose largest magnitude is below this are all zero (ggml's GROUP_MAX_EPS). */
    static final float GROUP_MAX_EPS = 1e-15f;

    private KQuantizer() {
    }

    /** Per-call working storage: nothing is allocated per block. */
    static final class Scratch {
        /** The chosen level of each of the 256 weights of the super-block. */
        final byte[] levels = new byte[KQuants.QK];
        /** Levels of the candidate scale being tried. */
        final byte[] candidate = new byte[32];
        final float[] weights = new float[32];
        final float[] scales = new float[16];
        final float[] mins = new float[16];
        /** The block being assembled; copied out in one piece. */
        final byte[] block;

        Scratch(int blockBytes) {
            block = new byte[blockBytes];
        }

        /** Copies the assembled block to {@code dst} at byte {@code offset}. */
        void writeTo(MemorySegment dst, long offset) {
            MemorySegment.copy(block, 0, dst, JAVA_BYTE, offset, block.length);
        }
    }

    /**
     * ggml's nearest_int: adding 1.5 * 2^23 leaves the integer rounded to nearest (ties to even)
     * in the low mantissa bits. Valid for magnitudes below 2^22, as in ggml.
     */
    static int nearestInt(float v) {
        return (Float.floatToRawIntBits(v + 12582912f) & 0x007FFFFF) - 0x00400000;
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** Stores {@code v} as little-endian fp16 at {@code b[off]} and returns the stored value as a float. */
    static float putHalf(byte[] b, int off, float v) {
        short h = Float.floatToFloat16(v);
        b[off] = (byte) h;
        b[off + 1] = (byte) (h >> 8);
        return Float.float16ToFloat(h);
    }

    /**
     * Symmetric levels for {@code n} weights, -nmax..nmax-1 stored plus nmax, fitted by least
     * squares with weights x^2 (ggml's make_qx_quants, rmse_type 1, no importance): the scale
     * that maps the largest magnitude to -nmax, then 18 nearby scales; the best fit wins.
     * Returns the scale, 0 when every weight is (nearly) zero.
     */
    static float symmetricFit(int n, int nmax, float[] x, int xo, byte[] levels, int lo) {
        float max = FloatOps.signedExtreme(x, xo, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                levels[lo + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
            levels[lo + i] = (byte) (l + nmax);
            float w = v * v;
            sumlx += w * v * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
                float w = v * v;
                sumlx += w * v * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    levels[lo + i] = (byte) (nmax + clamp(nearestInt(iscale * x[xo + i]), -nmax, nmax - 1));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * Symmetric levels as {@link #symmetricFit} (-nmax..nmax-1, stored plus nmax), refined the
     * Q3_K way (ggml's make_q3_quants with rmse): start from the scale that maps the largest
     * magnitude to -nmax, then up to five passes that move single weights to the level the
     * current fit prefers, keeping each move that improves the weighted (x^2) fit.
     */
    static float symmetricRefine(int n, int nmax, float[] x, int xo, byte[] levels, int lo) {
        float max = FloatOps.signedExtreme(x, xo, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                levels[lo + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
            levels[lo + i] = (byte) l;
            float w = v * v;
            sumlx += w * v * l;
            suml2 += w * l * l;
        }
        for (int pass = 0; pass < 5; pass++) {
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int cur = levels[lo + i];
                float w = v * v;
                float slx = sumlx - w * v * cur;
                if (slx > 0) {
                    float sl2 = suml2 - w * cur * cur;
                    int l = clamp(nearestInt(v * sl2 / slx), -nmax, nmax - 1);
                    if (l != cur) {
                        slx += w * v * l;
                        sl2 += w * l * l;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            levels[lo + i] = (byte) l;
                            sumlx = slx;
                            suml2 = sl2;
                            changed = true;
                        }
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            levels[lo + i] += (byte) nmax;
        }
        return suml2 > 0 ? sumlx / suml2 : 0f;
    }

    /**
     * Levels 0..nmax with a scale and a minimum, weight = scale*level - min (ggml's
     * make_qkx2_quants): starting from the plain min/max fit, tries nstep+1 scales
     * (rmin + rdelta*is + nmax)/(max - min), solving each for the weighted least-squares scale
     * and offset, and keeps the one with the smallest weighted error (absolute when
     * {@code mad}, squared otherwise). Stores the min (non-negative) in {@code mins[mi]} and
     * returns the scale.
     */
    static float asymmetricFit(int n, int nmax, float[] x, int xo, float[] weights, byte[] levels, int lo,
            float[] mins, int mi, byte[] candidate, float rmin, float rdelta, int nstep, boolean mad) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float v = x[xo + i];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * v;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                levels[lo + i] = 0;
            }
            mins[mi] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int l = clamp(nearestInt(iscale * (v - min)), 0, nmax);
            levels[lo + i] = (byte) l;
            float diff = scale * l + min - v;
            bestError += weights[i] * (mad ? Math.abs(diff) : diff * diff);
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int l = clamp(nearestInt(iscale * (v - min)), 0, nmax);
                candidate[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * v;
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * candidate[i] + thisMin - x[xo + i];
                    error += weights[i] * (mad ? Math.abs(diff) : diff * diff);
                }
                if (error < bestError) {
                    System.arraycopy(candidate, 0, levels, lo, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        mins[mi] = -min;
        return scale;
    }

    /**
     * Q4_K / Q5_K: fits the eight 32-weight sub-blocks of the super-block at {@code x[xo]} with
     * levels 0..nmax, quantizes their scales and mins to 6 bits against the largest of each,
     * stores fp16 d, fp16 dmin and the 12 packed scale bytes at the start of the block, and
     * requantizes the weights with the stored scales into {@code s.levels}.
     */
    static void scaleMinBlock(float[] x, int xo, int nmax, float rmin, float rdelta, int nstep, Scratch s) {
        byte[] blk = s.block;
        float[] w = s.weights;
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            int o = xo + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) {
                sumX2 += x[o + l] * x[o + l];
            }
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) {
                w[l] = avX + Math.abs(x[o + l]);
            }
            float scale = asymmetricFit(32, nmax, x, o, w, s.levels, 32 * j, s.mins, j, s.candidate,
                    rmin, rdelta, nstep, false);
            s.scales[j] = scale;
            if (scale > maxScale) {
                maxScale = scale;
            }
            if (s.mins[j] > maxMin) {
                maxMin = s.mins[j];
            }
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        for (int j = 0; j < 8; j++) {
            // ggml narrows to a byte before clamping to 63.
            int ls = Math.min(63, nearestInt(invScale * s.scales[j]) & 0xFF);
            int lm = Math.min(63, nearestInt(invMin * s.mins[j]) & 0xFF);
            if (j < 4) {
                blk[4 + j] = (byte) ls;
                blk[8 + j] = (byte) lm;
            } else {
                blk[8 + j] = (byte) ((ls & 0xF) | (lm & 0xF) << 4);
                blk[j] |= (byte) ((ls >> 4) << 6);
                blk[4 + j] |= (byte) ((lm >> 4) << 6);
            }
        }
        float d = putHalf(blk, 0, maxScale / 63f);
        float dmin = putHalf(blk, 2, maxMin / 63f);
        for (int j = 0; j < 8; j++) {
            int sc;
            int m;
            if (j < 4) {
                sc = blk[4 + j] & 63;
                m = blk[8 + j] & 63;
            } else {
                sc = (blk[8 + j] & 0xF) | ((blk[j] & 0xFF) >> 6) << 4;
                m = (blk[8 + j] & 0xFF) >> 4 | ((blk[4 + j] & 0xFF) >> 6) << 4;
            }
            float dl = d * sc;
            if (dl == 0) {
                continue;
            }
            float ml = dmin * m;
            for (int i = 0; i < 32; i++) {
                s.levels[32 * j + i] = (byte) clamp(nearestInt((x[xo + 32 * j + i] + ml) / dl), 0, nmax);
            }
        }
    }

    /**
     * Q2_K / Q3_K: packs the low two bits of the 256 levels into 64 bytes at {@code blk[off]}:
     * in each half of 128 weights, bits 2j..2j+1 of byte l hold weight 32j+l.
     */
    static void pack2(byte[] levels, byte[] blk, int off) {
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int b = 128 * h + l;
                blk[off + 32 * h + l] = (byte) ((levels[b] & 3) | (levels[b + 32] & 3) << 2
                        | (levels[b + 64] & 3) << 4 | (levels[b + 96] & 3) << 6);
            }
        }
    }
}

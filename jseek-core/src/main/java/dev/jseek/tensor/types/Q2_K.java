package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.KQuants.QK;
import static dev.jseek.tensor.types.KQuants.byteOf;
import static dev.jseek.tensor.types.KQuants.bytes16;
import static dev.jseek.tensor.types.KQuants.dot16;
import static dev.jseek.tensor.types.KQuants.half;
import static dev.jseek.tensor.types.KQuants.i64;
import static dev.jseek.tensor.types.KQuants.shr;
import static dev.jseek.tensor.types.KQuants.u8;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/**
 * Q2_K: 256 weights in 16 sub-blocks of 16, 84 bytes: 16 scale bytes (low nibble: scale, high
 * nibble: min), 64 bytes of 2-bit quants, fp16 d, fp16 dmin. Each half of 128 weights uses 32
 * quant bytes: bits 2j..2j+1 of byte l hold weight 32j+l. Weight = (d*scale)*q - (dmin*min).
 */
public final class Q2_K implements TypeKernel {

    private static final int BYTES = 84;

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk + 80);
            float dmin = half(src, blk + 82);
            for (int half = 0; half < 2; half++) {
                long sc = i64(src, blk + 8L * half);
                long q = blk + 16 + 32L * half;
                for (int k = 0; k < 8; k++) {
                    // sub-block k: 16 weights from quant bytes 16*(k%2).., bits 2*(k/2)
                    int s = byteOf(sc, k);
                    float dl = d * (s & 0xF);
                    float ml = dmin * (s >> 4);
                    int shift = 2 * (k / 2);
                    long qk = q + 16 * (k % 2);
                    int y = dstOffset + b * QK + 128 * half + 16 * k;
                    for (int l = 0; l < 16; l++) {
                        dst[y + l] = dl * (u8(src, qk + l) >> shift & 3) - ml;
                    }
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        var f = KQuants.F;
        FloatVector acc = FloatVector.zero(f);
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk + 80);
            float dmin = half(src, blk + 82);
            for (int half = 0; half < 2; half++) {
                long sc = i64(src, blk + 8L * half);
                for (int k = 0; k < 8; k++) {
                    int s = byteOf(sc, k);
                    FloatVector dk = FloatVector.broadcast(f, d * (s & 0xF));
                    FloatVector mk = FloatVector.broadcast(f, -(dmin * (s >> 4)));
                    ByteVector q = shr(bytes16(src, blk + 16 + 32L * half + 16 * (k % 2)), 2 * (k / 2)).and((byte) 3);
                    acc = dot16(q, dk, mk, x, xOffset + b * QK + 128 * half + 16 * k, acc);
                }
            }
        }
        acc.intoArray(scratch, 0);
        return FloatOps.sumLanes(scratch, f.length());
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk + 80);
            float dmin = half(src, blk + 82);
            for (int half = 0; half < 2; half++) {
                long sc = i64(src, blk + 8L * half);
                long q = blk + 16 + 32L * half;
                for (int k = 0; k < 8; k++) {
                    int s = byteOf(sc, k);
                    float dl = d * (s & 0xF);
                    float ml = dmin * (s >> 4);
                    int shift = 2 * (k / 2);
                    long qk = q + 16 * (k % 2);
                    int xi = xOffset + b * QK + 128 * half + 16 * k;
                    for (int l = 0; l < 16; l++) {
                        sum += (dl * (u8(src, qk + l) >> shift & 3) - ml) * x[xi + l];
                    }
                }
            }
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /**
     * ggml's reference (quantize_row_q2_K_ref): each sub-block of 16 gets levels 0..3 with a
     * scale and a min fitted by weighted absolute error (weights |x|); the 16 scales and the 16
     * mins are rounded to 4 bits against the largest of each, and the weights requantized with
     * the stored values.
     */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        var s = new KQuantizer.Scratch(BYTES);
        byte[] blk = s.block;
        byte[] levels = s.levels;
        for (int b = 0; b < n / QK; b++) {
            int xo = srcOffset + b * QK;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < 16; j++) {
                for (int l = 0; l < 16; l++) {
                    s.weights[l] = Math.abs(src[xo + 16 * j + l]);
                }
                float scale = KQuantizer.asymmetricFit(16, 3, src, xo + 16 * j, s.weights, levels, 16 * j,
                        s.mins, j, s.candidate, -0.5f, 0.1f, 15, true);
                s.scales[j] = scale;
                if (scale > maxScale) {
                    maxScale = scale;
                }
                if (s.mins[j] > maxMin) {
                    maxMin = s.mins[j];
                }
            }
            float d;
            if (maxScale > 0) {
                float iscale = 15f / maxScale;
                for (int j = 0; j < 16; j++) {
                    blk[j] = (byte) KQuantizer.nearestInt(iscale * s.scales[j]);
                }
                d = KQuantizer.putHalf(blk, 80, maxScale / 15f);
            } else {
                Arrays.fill(blk, 0, 16, (byte) 0);
                d = KQuantizer.putHalf(blk, 80, 0f);
            }
            float dmin;
            if (maxMin > 0) {
                float iscale = 15f / maxMin;
                for (int j = 0; j < 16; j++) {
                    blk[j] |= (byte) (KQuantizer.nearestInt(iscale * s.mins[j]) << 4);
                }
                dmin = KQuantizer.putHalf(blk, 82, maxMin / 15f);
            } else {
                dmin = KQuantizer.putHalf(blk, 82, 0f);
            }
            for (int j = 0; j < 16; j++) {
                float dl = d * (blk[j] & 0xF);
                if (dl == 0) {
                    continue;
                }
                float ml = dmin * ((blk[j] & 0xFF) >> 4);
                for (int l = 0; l < 16; l++) {
                    int i = 16 * j + l;
                    levels[i] = (byte) KQuantizer.clamp(KQuantizer.nearestInt((src[xo + i] + ml) / dl), 0, 3);
                }
            }
            KQuantizer.pack2(levels, blk, 16);
            s.writeTo(dst, offset + (long) b * BYTES);
        }
    }
}

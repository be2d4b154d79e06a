package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.KQuants.QK;
import static dev.jseek.tensor.types.KQuants.bytes16;
import static dev.jseek.tensor.types.KQuants.dot16;
import static dev.jseek.tensor.types.KQuants.half;
import static dev.jseek.tensor.types.KQuants.i32;
import static dev.jseek.tensor.types.KQuants.shr;
import static dev.jseek.tensor.types.KQuants.u16;
import static dev.jseek.tensor.types.KQuants.u8;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/**
 * IQ4_XS: 256 weights in 8 sub-blocks of 32, 136 bytes: fp16 d, 16 bits of scale high pairs,
 * 4 bytes of scale low nibbles, 128 bytes of 4-bit indices. Sub-block k's 6-bit scale is low
 * nibble k of the 4 bytes plus bits 2k..2k+1 of the 16-bit word on top; its 16 index bytes hold
 * weights l (low nibble) and 16+l (high nibble). Weight = (d*(scale-32))*KVALUES[index].
 */
public final class IQ4_XS implements TypeKernel {

    private static final int BYTES = 136;

    /** The non-linear 4-bit grid. */
    private static final byte[] KVALUES = IQ4Quantizer.VALUES;
    private static final ByteVector KVALUES_V = ByteVector.fromArray(KQuants.B16, KVALUES, 0);

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk);
            int sh = u16(src, blk + 2);
            int sl = i32(src, blk + 4);
            for (int k = 0; k < 8; k++) {
                float dl = d * (scale(sh, sl, k) - 32);
                long q = blk + 8 + 16L * k;
                int y = dstOffset + b * QK + 32 * k;
                for (int l = 0; l < 16; l++) {
                    int v = u8(src, q + l);
                    dst[y + l] = dl * KVALUES[v & 0xF];
                    dst[y + 16 + l] = dl * KVALUES[v >> 4];
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        var f = KQuants.F;
        FloatVector zero = FloatVector.zero(f);
        FloatVector acc = zero;
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk);
            int sh = u16(src, blk + 2);
            int sl = i32(src, blk + 4);
            for (int k = 0; k < 8; k++) {
                FloatVector dk = FloatVector.broadcast(f, d * (scale(sh, sl, k) - 32));
                for (int h = 0; h < 2; h++) {
                    ByteVector index = shr(bytes16(src, blk + 8 + 16L * k), 4 * h).and((byte) 0xF);
                    acc = dot16(index.selectFrom(KVALUES_V), dk, zero, x, xOffset + b * QK + 32 * k + 16 * h, acc);
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
            float d = half(src, blk);
            int sh = u16(src, blk + 2);
            int sl = i32(src, blk + 4);
            for (int k = 0; k < 8; k++) {
                float dl = d * (scale(sh, sl, k) - 32);
                long q = blk + 8 + 16L * k;
                int xi = xOffset + b * QK + 32 * k;
                for (int l = 0; l < 16; l++) {
                    int v = u8(src, q + l);
                    sum += dl * KVALUES[v & 0xF] * x[xi + l];
                    sum += dl * KVALUES[v >> 4] * x[xi + 16 + l];
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
     * As llama-quantize does it (quantize_iq4_xs, no importance matrix): each sub-block's scale
     * from {@link IQ4Quantizer#fit}; the super-block scale d maps the one of largest magnitude
     * to -32, sub-block scales are rounded to -32..31 steps of d, and the weights re-encoded at
     * their rounded (not fp16) sub-block scale.
     */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        byte[] blk = new byte[BYTES];
        float[] scales = new float[8];
        for (int b = 0; b < n / QK; b++) {
            int xo = srcOffset + b * QK;
            float maxScale = 0;
            float amax = 0;
            for (int k = 0; k < 8; k++) {
                float scale = IQ4Quantizer.fit(src, xo + 32 * k);
                scales[k] = scale;
                if (Math.abs(scale) > amax) {
                    amax = Math.abs(scale);
                    maxScale = scale;
                }
            }
            float d = -maxScale / 32;
            KQuantizer.putHalf(blk, 0, d);
            float id = d != 0 ? 1 / d : 0f;
            int high = 0;
            int low = 0;
            for (int k = 0; k < 8; k++) {
                int l = KQuantizer.clamp(KQuantizer.nearestInt(id * scales[k]), -32, 31);
                float dl = d * l;
                IQ4Quantizer.encode(src, xo + 32 * k, dl != 0 ? 1 / dl : 0f, blk, 8 + 16 * k);
                l += 32;
                low |= (l & 0xF) << 4 * k;
                high |= (l >> 4) << 2 * k;
            }
            blk[2] = (byte) high;
            blk[3] = (byte) (high >> 8);
            for (int j = 0; j < 4; j++) {
                blk[4 + j] = (byte) (low >> 8 * j);
            }
            MemorySegment.copy(blk, 0, dst, JAVA_BYTE, offset + (long) b * BYTES, BYTES);
        }
    }

    private static int scale(int high, int low, int k) {
        return (low >>> 4 * k & 0xF) | (high >>> 2 * k & 3) << 4;
    }
}

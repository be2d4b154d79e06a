package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.KQuants.QK;
import static dev.jseek.tensor.types.KQuants.byteOf;
import static dev.jseek.tensor.types.KQuants.bytes16;
import static dev.jseek.tensor.types.KQuants.dot16;
import static dev.jseek.tensor.types.KQuants.half;
import static dev.jseek.tensor.types.KQuants.i32;
import static dev.jseek.tensor.types.KQuants.shl;
import static dev.jseek.tensor.types.KQuants.shr;
import static dev.jseek.tensor.types.KQuants.u8;

import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q3_K: 256 weights in 16 sub-blocks of 16, 110 bytes: 32 bytes of high bits, 64 bytes of
 * 2-bit quants, 12 bytes packing 16 six-bit scales, fp16 d. Weight i = 128h+32j+l (l &lt; 32) takes
 * its low bits from bits 2j..2j+1 of quant byte 32h+l and its third bit from bit 4h+j of high
 * byte l; q = low - (third bit ? 0 : 4), in -4..3. Weight = (d*(scale-32))*q, scale in 0..63.
 */
public final class Q3_K implements TypeKernel {

    private static final int BYTES = 110;

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk + 108);
            for (int half = 0; half < 2; half++) {
                long sc = scales(src, blk + 96, half);
                for (int k = 0; k < 8; k++) {
                    // sub-block k: 16 weights from bytes 16*(k%2).., low bits 2*(k/2), high bit 4*half+k/2
                    float dl = d * (byteOf(sc, k) - 32);
                    int shift = 2 * (k / 2);
                    int bit = 4 * half + k / 2;
                    long q = blk + 32 + 32L * half + 16 * (k % 2);
                    long hm = blk + 16 * (k % 2);
                    int y = dstOffset + b * QK + 128 * half + 16 * k;
                    for (int l = 0; l < 16; l++) {
                        dst[y + l] = dl * quant(src, q + l, shift, hm + l, bit);
                    }
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        var f = KQuants.F;
        FloatVector zero = FloatVector.zero(f);
        FloatVector acc = zero;
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk + 108);
            for (int half = 0; half < 2; half++) {
                long sc = scales(src, blk + 96, half);
                for (int k = 0; k < 8; k++) {
                    FloatVector dk = FloatVector.broadcast(f, d * (byteOf(sc, k) - 32));
                    ByteVector low = shr(bytes16(src, blk + 32 + 32L * half + 16 * (k % 2)), 2 * (k / 2)).and((byte) 3);
                    ByteVector third = shl(shr(bytes16(src, blk + 16 * (k % 2)), 4 * half + k / 2), 2).and((byte) 4);
                    acc = dot16(low.or(third).sub((byte) 4), dk, zero, x, xOffset + b * QK + 128 * half + 16 * k, acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk + 108);
            for (int half = 0; half < 2; half++) {
                long sc = scales(src, blk + 96, half);
                for (int k = 0; k < 8; k++) {
                    float dl = d * (byteOf(sc, k) - 32);
                    int shift = 2 * (k / 2);
                    int bit = 4 * half + k / 2;
                    long q = blk + 32 + 32L * half + 16 * (k % 2);
                    long hm = blk + 16 * (k % 2);
                    int xi = xOffset + b * QK + 128 * half + 16 * k;
                    for (int l = 0; l < 16; l++) {
                        sum += dl * quant(src, q + l, shift, hm + l, bit) * x[xi + l];
                    }
                }
            }
        }
        return sum;
    }

    private static int quant(MemorySegment src, long q, int shift, long hm, int bit) {
        return (u8(src, q) >> shift & 3) - ((u8(src, hm) >> bit & 1) != 0 ? 0 : 4);
    }

    /**
     * The unsigned 6-bit scales of half {@code half} (sub-blocks 8*half..8*half+7), one per byte.
     * Their low 4 bits are the low (half 0) or high (half 1) nibbles of bytes 0-7; their top 2
     * bits come from bytes 8-11, bit pair 2*(sub-block/4).
     */
    private static long scales(MemorySegment src, long off, int half) {
        int a = i32(src, off);
        int b = i32(src, off + 4);
        int c = i32(src, off + 8);
        int s = 4 * half;
        int lo = (a >>> s & 0x0F0F0F0F) | (c >>> s & 0x03030303) << 4;
        int hi = (b >>> s & 0x0F0F0F0F) | (c >>> s + 2 & 0x03030303) << 4;
        return (lo & 0xFFFFFFFFL) | (long) hi << 32;
    }
}

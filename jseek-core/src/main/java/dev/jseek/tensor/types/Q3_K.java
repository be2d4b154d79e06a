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

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

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
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
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
        acc.intoArray(scratch, 0);
        return FloatOps.sumLanes(scratch, f.length());
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

    @Override
    public boolean canQuantize() {
        return true;
    }

    /**
     * ggml's reference (quantize_row_q3_K_ref): each sub-block of 16 gets levels -4..3 from a
     * refined symmetric fit; the 16 scales are rounded to 6 bits (-32..31) against the one of
     * largest magnitude, and the weights requantized with the stored scales.
     */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        var s = new KQuantizer.Scratch(BYTES);
        byte[] blk = s.block;
        byte[] levels = s.levels;
        for (int b = 0; b < n / QK; b++) {
            int xo = srcOffset + b * QK;
            float maxScale = 0;
            float amax = 0;
            for (int j = 0; j < 16; j++) {
                float scale = KQuantizer.symmetricRefine(16, 4, src, xo + 16 * j, levels, 16 * j);
                s.scales[j] = scale;
                if (Math.abs(scale) > amax) {
                    amax = Math.abs(scale);
                    maxScale = scale;
                }
            }
            Arrays.fill(blk, (byte) 0);
            float d;
            if (maxScale != 0) {
                float iscale = -32f / maxScale;
                for (int j = 0; j < 16; j++) {
                    int l = KQuantizer.clamp(KQuantizer.nearestInt(iscale * s.scales[j]), -32, 31) + 32;
                    // scale bytes 0-7: low 4 bits of sub-blocks 0-7 (low nibble) and 8-15 (high);
                    // bytes 8-11: top 2 bits of sub-block j in byte 8 + j%4, bit pair j/4
                    blk[96 + j % 8] |= (byte) ((l & 0xF) << 4 * (j / 8));
                    blk[104 + j % 4] |= (byte) ((l >> 4) << 2 * (j / 4));
                }
                d = KQuantizer.putHalf(blk, 108, 1 / iscale);
            } else {
                d = KQuantizer.putHalf(blk, 108, 0f);
            }
            for (int j = 0; j < 16; j++) {
                int sc = ((blk[96 + j % 8] & 0xFF) >> 4 * (j / 8) & 0xF | (blk[104 + j % 4] >> 2 * (j / 4) & 3) << 4) - 32;
                float dl = d * sc;
                if (dl == 0) {
                    continue;
                }
                for (int l = 0; l < 16; l++) {
                    int i = 16 * j + l;
                    levels[i] = (byte) (KQuantizer.clamp(KQuantizer.nearestInt(src[xo + i] / dl), -4, 3) + 4);
                }
            }
            // The third bit of weight i goes to bit i/32 of high byte i%32; the quants keep the low two.
            for (int i = 0; i < QK; i++) {
                if (levels[i] > 3) {
                    blk[i % 32] |= (byte) (1 << i / 32);
                    levels[i] -= 4;
                }
            }
            KQuantizer.pack2(levels, blk, 32);
            s.writeTo(dst, offset + (long) b * BYTES);
        }
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

package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.KQuants.QK;
import static dev.jseek.tensor.types.KQuants.byteOf;
import static dev.jseek.tensor.types.KQuants.bytes16;
import static dev.jseek.tensor.types.KQuants.dot16;
import static dev.jseek.tensor.types.KQuants.half;
import static dev.jseek.tensor.types.KQuants.minsK4;
import static dev.jseek.tensor.types.KQuants.scalesK4;
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
 * Q5_K: 256 weights in 8 sub-blocks of 32, 176 bytes: fp16 d, fp16 dmin, 12 bytes of packed
 * 6-bit scales and mins (as Q4_K), 32 bytes of high bits, 128 bytes of low nibbles. The low
 * nibbles are laid out as in Q4_K; byte l of the high bits gives weight 64j+l its fifth bit in
 * bit 2j and weight 64j+32+l in bit 2j+1. Weight = (d*scale)*q - (dmin*min), q in 0..31.
 */
public final class Q5_K implements TypeKernel {

    private static final int BYTES = 176;

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk);
            float dmin = half(src, blk + 2);
            long scales = scalesK4(src, blk + 4);
            long mins = minsK4(src, blk + 4);
            for (int j = 0; j < 4; j++) {
                // ggml rounds the float products d*scale and dmin*min before using them.
                float d1 = d * byteOf(scales, 2 * j);
                float m1 = dmin * byteOf(mins, 2 * j);
                float d2 = d * byteOf(scales, 2 * j + 1);
                float m2 = dmin * byteOf(mins, 2 * j + 1);
                long ql = blk + 48 + 32L * j;
                int y = dstOffset + b * QK + 64 * j;
                for (int l = 0; l < 32; l++) {
                    int v = u8(src, ql + l);
                    int h = u8(src, blk + 16 + l) >> 2 * j;
                    dst[y + l] = d1 * ((v & 0xF) | (h & 1) << 4) - m1;
                    dst[y + 32 + l] = d2 * ((v >> 4) | (h & 2) << 3) - m2;
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
            float d = half(src, blk);
            float dmin = half(src, blk + 2);
            long scales = scalesK4(src, blk + 4);
            long mins = minsK4(src, blk + 4);
            for (int k = 0; k < 8; k++) {
                // sub-block k: the low (k even) or high nibbles of quant bytes 32*(k/2).., fifth bit k of the high bytes
                FloatVector dk = FloatVector.broadcast(f, d * byteOf(scales, k));
                FloatVector mk = FloatVector.broadcast(f, -(dmin * byteOf(mins, k)));
                for (int h = 0; h < 32; h += 16) {
                    ByteVector low = shr(bytes16(src, blk + 48 + 16L * (k & ~1) + h), 4 * (k & 1)).and((byte) 0xF);
                    ByteVector top = shl(shr(bytes16(src, blk + 16 + h), k), 4).and((byte) 0x10);
                    acc = dot16(low.or(top), dk, mk, x, xOffset + b * QK + 32 * k + h, acc);
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
            float dmin = half(src, blk + 2);
            long scales = scalesK4(src, blk + 4);
            long mins = minsK4(src, blk + 4);
            for (int j = 0; j < 4; j++) {
                float d1 = d * byteOf(scales, 2 * j);
                float m1 = dmin * byteOf(mins, 2 * j);
                float d2 = d * byteOf(scales, 2 * j + 1);
                float m2 = dmin * byteOf(mins, 2 * j + 1);
                long ql = blk + 48 + 32L * j;
                int xi = xOffset + b * QK + 64 * j;
                for (int l = 0; l < 32; l++) {
                    int v = u8(src, ql + l);
                    int h = u8(src, blk + 16 + l) >> 2 * j;
                    sum += (d1 * ((v & 0xF) | (h & 1) << 4) - m1) * x[xi + l];
                    sum += (d2 * ((v >> 4) | (h & 2) << 3) - m2) * x[xi + 32 + l];
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
     * ggml's reference (quantize_row_q5_K_ref): as Q4_K with levels 0..31 and 16 scales tried;
     * the fifth bits go to the 32 high-bit bytes.
     */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        var s = new KQuantizer.Scratch(BYTES);
        byte[] blk = s.block;
        byte[] levels = s.levels;
        for (int b = 0; b < n / QK; b++) {
            KQuantizer.scaleMinBlock(src, srcOffset + b * QK, 31, -0.5f, 0.1f, 15, s);
            Arrays.fill(blk, 16, 48, (byte) 0);
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 32; l++) {
                    int lo = levels[64 * j + l];
                    int hi = levels[64 * j + 32 + l];
                    blk[16 + l] |= (byte) ((lo >> 4) << 2 * j | (hi >> 4) << 2 * j + 1);
                    blk[48 + 32 * j + l] = (byte) ((lo & 0xF) | (hi & 0xF) << 4);
                }
            }
            s.writeTo(dst, offset + (long) b * BYTES);
        }
    }
}

package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.Simd.B16;
import static dev.jseek.tensor.types.Simd.F;
import static dev.jseek.tensor.types.Simd.INT_LE;
import static dev.jseek.tensor.types.Simd.LE;
import static dev.jseek.tensor.types.Simd.LONG_LE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Blocks of 32 weights in 24 bytes: fp16 scale d, fp16 minimum m, a little-endian 32-bit word
 * whose bit j is the fifth bit of weight j, then 16 bytes whose low nibbles are the low bits
 * of weights 0-15 and high nibbles those of weights 16-31; weight = 5-bit value * d + m.
 */
public final class Q5_1 implements TypeKernel {

    private static final int BLOCK = 32;
    private static final int BYTES = 24;

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            float m = Simd.fp16(src, offset + 2);
            int qh = src.get(INT_LE, offset + 4);
            int o = dstOffset + i;
            for (int j = 0; j < 16; j++) {
                int q = src.get(JAVA_BYTE, offset + 8 + j);
                dst[o + j] = (q & 0xF | (qh >>> j & 1) << 4) * d + m;
                dst[o + j + 16] = ((q >> 4) & 0xF | (qh >>> (j + 16) & 1) << 4) * d + m;
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        FloatVector lo = FloatVector.zero(F);
        FloatVector hi = FloatVector.zero(F);
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int xi = xOffset + i;
            // d, m and the fifth bits in one read: each segment access costs the JIT's inlining budget.
            long head = src.get(LONG_LE, offset);
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat((short) head));
            FloatVector m = FloatVector.broadcast(F, Float.float16ToFloat((short) (head >>> 16)));
            int qh = (int) (head >>> 32);
            ByteVector q = ByteVector.fromMemorySegment(B16, src, offset + 8, LE);
            lo = Simd.dot16(q.and((byte) 0xF), qh, d, m, x, xi, lo);
            hi = Simd.dot16(q.lanewise(VectorOperators.LSHR, 4), qh >>> 16, d, m, x, xi + 16, hi);
        }
        lo.add(hi).intoArray(scratch, 0);
        return FloatOps.sumLanes(scratch, F.length());
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            float m = Simd.fp16(src, offset + 2);
            int qh = src.get(INT_LE, offset + 4);
            int o = xOffset + i;
            for (int j = 0; j < 16; j++) {
                int q = src.get(JAVA_BYTE, offset + 8 + j);
                sum += ((q & 0xF | (qh >>> j & 1) << 4) * d + m) * x[o + j];
                sum += (((q >> 4) & 0xF | (qh >>> (j + 16) & 1) << 4) * d + m) * x[o + j + 16];
            }
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** ggml's reference: m = min, d = (max - min) / 31, q = trunc((x - m) / d + 0.5), unclamped. */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int s = srcOffset + i;
            float min = Simd.min(src, s, BLOCK);
            float max = Simd.max(src, s, BLOCK);
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Simd.putFp16(dst, offset, d);
            Simd.putFp16(dst, offset + 2, min);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int q0 = (int) ((src[s + j] - min) * id + 0.5f);
                int q1 = (int) ((src[s + j + 16] - min) * id + 0.5f);
                dst.set(JAVA_BYTE, offset + 8 + j, (byte) (q0 & 0xF | (q1 & 0xF) << 4));
                qh |= (q0 >> 4 & 1) << j | (q1 >> 4 & 1) << (j + 16);
            }
            dst.set(INT_LE, offset + 4, qh);
        }
    }
}

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

/**
 * Blocks of 32 weights in 22 bytes: fp16 scale d, a little-endian 32-bit word whose bit j is
 * the fifth bit of weight j, then 16 bytes whose low nibbles are the low bits of weights 0-15
 * and high nibbles those of weights 16-31; weight = (5-bit value - 16) * d.
 */
public final class Q5_0 implements TypeKernel {

    private static final int BLOCK = 32;
    private static final int BYTES = 22;

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            int qh = src.get(INT_LE, offset + 2);
            int o = dstOffset + i;
            for (int j = 0; j < 16; j++) {
                int q = src.get(JAVA_BYTE, offset + 6 + j);
                dst[o + j] = ((q & 0xF | (qh >>> j & 1) << 4) - 16) * d;
                dst[o + j + 16] = (((q >> 4) & 0xF | (qh >>> (j + 16) & 1) << 4) - 16) * d;
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        FloatVector total = FloatVector.zero(F);
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int xi = xOffset + i;
            // d and the fifth bits in one read: each segment access costs the JIT's inlining budget.
            long head = src.get(LONG_LE, offset);
            int qh = (int) (head >>> 16);
            ByteVector q = ByteVector.fromMemorySegment(B16, src, offset + 6, LE);
            ByteVector lo = q.and((byte) 0xF).sub((byte) 16);
            ByteVector hi = Simd.highNibbles(q).sub((byte) 16);
            FloatVector acc = Simd.dot16(lo, qh, x, xi, FloatVector.zero(F));
            acc = Simd.dot16(hi, qh >>> 16, x, xi + 16, acc);
            total = acc.fma(FloatVector.broadcast(F, Float.float16ToFloat((short) head)), total);
        }
        total.intoArray(scratch, 0);
        return FloatOps.sumLanes(scratch, F.length());
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            int qh = src.get(INT_LE, offset + 2);
            int o = xOffset + i;
            for (int j = 0; j < 16; j++) {
                int q = src.get(JAVA_BYTE, offset + 6 + j);
                sum += ((q & 0xF | (qh >>> j & 1) << 4) - 16) * d * x[o + j];
                sum += (((q >> 4) & 0xF | (qh >>> (j + 16) & 1) << 4) - 16) * d * x[o + j + 16];
            }
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /**
     * ggml's reference: d = (the value of largest magnitude) / -16, so that value maps to 0;
     * q = min(31, trunc(x / d + 16.5)).
     */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int s = srcOffset + i;
            float d = FloatOps.signedExtreme(src, s, BLOCK) / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Simd.putFp16(dst, offset, d);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(31, (int) (src[s + j] * id + 16.5f));
                int q1 = Math.min(31, (int) (src[s + j + 16] * id + 16.5f));
                dst.set(JAVA_BYTE, offset + 6 + j, (byte) (q0 & 0xF | (q1 & 0xF) << 4));
                qh |= (q0 >> 4 & 1) << j | (q1 >> 4 & 1) << (j + 16);
            }
            dst.set(INT_LE, offset + 2, qh);
        }
    }
}

package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.Simd.B16;
import static dev.jseek.tensor.types.Simd.F;
import static dev.jseek.tensor.types.Simd.INT_LE;
import static dev.jseek.tensor.types.Simd.LE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/**
 * Blocks of 32 weights in 20 bytes: fp16 scale d, fp16 minimum m, then 16 bytes whose low
 * nibbles are weights 0-15 and high nibbles weights 16-31; weight = nibble * d + m.
 */
public final class Q4_1 implements TypeKernel {

    private static final int BLOCK = 32;
    private static final int BYTES = 20;

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            float m = Simd.fp16(src, offset + 2);
            int o = dstOffset + i;
            for (int j = 0; j < 16; j++) {
                int q = src.get(JAVA_BYTE, offset + 4 + j);
                dst[o + j] = (q & 0xF) * d + m;
                dst[o + j + 16] = ((q >> 4) & 0xF) * d + m;
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        FloatVector lo = FloatVector.zero(F);
        FloatVector hi = FloatVector.zero(F);
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int xi = xOffset + i;
            // d and m in one read: each segment access costs the JIT's inlining budget.
            int head = src.get(INT_LE, offset);
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat((short) head));
            FloatVector m = FloatVector.broadcast(F, Float.float16ToFloat((short) (head >>> 16)));
            ByteVector q = ByteVector.fromMemorySegment(B16, src, offset + 4, LE);
            lo = Simd.dot16(q.and((byte) 0xF), d, m, x, xi, lo);
            hi = Simd.dot16(Simd.highNibbles(q), d, m, x, xi + 16, hi);
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
            int o = xOffset + i;
            for (int j = 0; j < 16; j++) {
                int q = src.get(JAVA_BYTE, offset + 4 + j);
                sum += ((q & 0xF) * d + m) * x[o + j];
                sum += (((q >> 4) & 0xF) * d + m) * x[o + j + 16];
            }
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** ggml's reference: m = min, d = (max - min) / 15, nibble = min(15, trunc((x - m) / d + 0.5)). */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int s = srcOffset + i;
            float min = Simd.min(src, s, BLOCK);
            float max = Simd.max(src, s, BLOCK);
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Simd.putFp16(dst, offset, d);
            Simd.putFp16(dst, offset + 2, min);
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(15, (int) ((src[s + j] - min) * id + 0.5f));
                int q1 = Math.min(15, (int) ((src[s + j + 16] - min) * id + 0.5f));
                dst.set(JAVA_BYTE, offset + 4 + j, (byte) (q0 | q1 << 4));
            }
        }
    }
}

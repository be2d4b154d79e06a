package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.Simd.F;
import static dev.jseek.tensor.types.Simd.FLOAT_LE;
import static dev.jseek.tensor.types.Simd.L;
import static dev.jseek.tensor.types.Simd.LE;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** Plain little-endian IEEE floats, 4 bytes a weight, no blocks. */
public final class F32 implements TypeKernel {

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        MemorySegment.copy(src, FLOAT_LE, offset, dst, dstOffset, n);
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        // Four accumulators hide the latency of the fused multiply-adds.
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 4 * L; i += 4 * L) {
            long b = offset + 4L * i;
            int xi = xOffset + i;
            a0 = FloatVector.fromMemorySegment(F, src, b, LE).fma(FloatVector.fromArray(F, x, xi), a0);
            a1 = FloatVector.fromMemorySegment(F, src, b + 4L * L, LE).fma(FloatVector.fromArray(F, x, xi + L), a1);
            a2 = FloatVector.fromMemorySegment(F, src, b + 8L * L, LE).fma(FloatVector.fromArray(F, x, xi + 2 * L), a2);
            a3 = FloatVector.fromMemorySegment(F, src, b + 12L * L, LE).fma(FloatVector.fromArray(F, x, xi + 3 * L), a3);
        }
        for (; i <= n - L; i += L) {
            a0 = FloatVector.fromMemorySegment(F, src, offset + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOffset + i), a0);
        }
        // Small enough for FloatOps.sum to stay inline (through the scratch: F16 0.91x).
        float sum = FloatOps.sum(F, a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) {
            sum += src.get(FLOAT_LE, offset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += src.get(FLOAT_LE, offset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        MemorySegment.copy(src, srcOffset, dst, FLOAT_LE, offset, n);
    }
}

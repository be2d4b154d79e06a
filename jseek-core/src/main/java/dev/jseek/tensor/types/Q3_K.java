package dev.jseek.tensor.types;

import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;

/** Placeholder until the kernel lands. */
public final class Q3_K implements TypeKernel {
    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        throw new UnsupportedOperationException("Q3_K");
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        throw new UnsupportedOperationException("Q3_K");
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        throw new UnsupportedOperationException("Q3_K");
    }
}

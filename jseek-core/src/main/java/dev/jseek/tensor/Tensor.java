package dev.jseek.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A named tensor viewing its data where it lies (normally the mapped model file).
 * {@code shape[0]} is the row length (ggml's ne0, the fastest-varying dimension).
 */
public record Tensor(String name, GgmlType type, long[] shape, MemorySegment data) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Weights per row (ne0). */
    public int rowLength() {
        return Math.toIntExact(shape[0]);
    }

    /** Number of rows: every dimension but the first. */
    public long rows() {
        return elementCount() / shape[0];
    }

    public long rowBytes() {
        return type.bytesFor(shape[0]);
    }

    /**
     * Rows {@code [first, first+count)} as a 2-D tensor of their own, viewing the same memory
     * (one head or one expert of a stacked tensor).
     */
    public Tensor rows(long first, long count, String viewName) {
        if (first < 0 || count < 0 || first + count > rows()) {
            throw new IllegalArgumentException("rows " + first + ".." + (first + count) + " outside " + name + " (" + rows() + " rows)");
        }
        return new Tensor(viewName, type, new long[] {shape[0], count}, data.asSlice(first * rowBytes(), count * rowBytes()));
    }

    /** Dequantizes row {@code row} into {@code dst[dstOffset..]}. */
    public void dequantizeRow(long row, float[] dst, int dstOffset) {
        type.kernel().dequantize(data, row * rowBytes(), dst, dstOffset, rowLength());
    }

    /** Dot product of row {@code row} with {@code x[xOffset..]}; {@code scratch}: {@link TypeKernel#SCRATCH} floats of the caller's. */
    public float dotRow(long row, float[] x, int xOffset, float[] scratch) {
        return type.kernel().dot(data, row * rowBytes(), x, xOffset, rowLength(), scratch);
    }
}

package dev.jseek.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The math of one tensor type, read straight from its block layout in (mapped) memory.
 * Counts {@code n} are multiples of the type's block size; offsets are in bytes for weights
 * and in elements for float arrays.
 */
public interface TypeKernel {

    /** Expands {@code n} weights starting at byte {@code offset} into {@code dst[dstOffset..]}. */
    void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n);

    /**
     * Dot product of {@code n} weights with {@code x[xOffset..]}, using the Vector API.
     * {@code scratch} holds at least {@link #SCRATCH} floats the kernel may overwrite: the
     * caller's own, as calls run on several threads at once.
     */
    float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch);

    /** The same dot product as a plain loop: the reference the vector path is tested against. */
    float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n);

    /**
     * Whether {@link #dot(MemorySegment, long, Q8Activations, int, float[])} is implemented: an integer
     * dot product with activations rounded to llama.cpp's 8-bit partner blocks of this type.
     */
    default boolean hasInt8Dot() {
        return false;
    }

    /**
     * What the integer dot product reads of {@link Q8Activations} besides the values and their
     * scales: a union of {@link Q8Activations#Q4_0_ORDER} and the others, so that rounding the
     * activations lays out only those.
     */
    default int int8Reads() {
        return 0;
    }

    /**
     * Dot product of {@code n} weights with the first {@code n} rounded activations {@code x},
     * in integers where the weights allow, with {@code scratch} as for the float dot product.
     * The weights must be native memory (a mapped file): some of these kernels read them by
     * address; a heap segment, a closed file or a range past the segment's end is refused.
     */
    default float dot(MemorySegment src, long offset, Q8Activations x, int n, float[] scratch) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no integer dot product");
    }

    /**
     * {@code rows} dot products as {@link #dot(MemorySegment, long, Q8Activations, int, float[])}:
     * row r's weights start at {@code offset + r * rowBytes}, its result goes to
     * {@code out[outOffset + r]}. The integer kernels keep up to {@link #ROW_BATCH} rows' vector
     * lanes in {@code scratch} and add them up together: summing each row's lanes before starting
     * the next made every row wait for a chain of scalar additions (BENCHMARKS.md).
     */
    default void dotRows(MemorySegment src, long offset, long rowBytes, int rows, Q8Activations x, int n,
            float[] out, int outOffset, float[] scratch) {
        for (int r = 0; r < rows; r++) {
            out[outOffset + r] = dot(src, offset + r * rowBytes, x, n, scratch);
        }
    }

    /** Rows whose lanes {@link #dotRows} keeps before adding them up. */
    int ROW_BATCH = 16;
    /**
     * Where in scratch {@link #dotRows} keeps the rows' lanes (at most 16 each); below it, a block's
     * header (Q6_K: 64 expanded scales and a vector of its offsets), and between rows the sums of
     * a batch of row pairs on their way out.
     */
    int LANES_AT = 80;
    /** Where in scratch the single-row integer dot product leaves its result. */
    int RESULT = LANES_AT + 16 * ROW_BATCH;
    /**
     * Floats of scratch the dot products need: a block's header (Q6_K's sixteen scales, each
     * repeated for the four int lanes of its sub-block, and their part of the offsets), the lanes
     * of a batch of rows, a result.
     */
    int SCRATCH = RESULT + 1;

    /** Whether {@link #quantize} is implemented for this type. */
    default boolean canQuantize() {
        return false;
    }

    /** Encodes {@code n} floats into blocks at byte {@code offset}, as ggml's reference quantizer does. */
    default void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        throw new UnsupportedOperationException("quantizing to " + getClass().getSimpleName() + " is not supported yet");
    }
}

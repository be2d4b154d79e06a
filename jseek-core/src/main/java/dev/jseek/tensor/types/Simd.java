package dev.jseek.tensor.types;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Shapes, layouts and conversions shared by the kernels of the 32-weight block types. */
final class Simd {

    private Simd() {
    }

    /**
     * The preferred float shape, kept between 128 and 512 bits: 16 weights (half a block, one
     * run of nibbles) must fill whole vectors, and a short shape of half its size must exist.
     */
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class,
            VectorShape.forBitSize(Math.clamp(FloatVector.SPECIES_PREFERRED.vectorBitSize(), 128, 512)));
    /** Float lanes per vector. */
    static final int L = F.length();
    /** 16 bytes: the unit in which quantized weights are loaded and widened to floats. */
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    /** Float vectors that 16 bytes widen into. */
    static final int PARTS = 16 / L;

    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /**
     * All of memory as one segment, read by absolute address. Q4_0's and Q8_0's integer kernels
     * read a mapped tensor through it: with the bounds and base of the segment constants (and
     * no activation offset), C2 keeps the loop's values in registers instead of spilling one
     * every turn (1.5B decode at Q4_0 1.04x with 1 thread, BENCHMARKS.md). Q4_K's and Q6_K's
     * 512-bit loops read through it too, for fewer bounds checks (Q4_K's two-row loop, one step
     * before its half-table lookups: 179 instructions a block, against 190 through the tensor's
     * segment). {@link #checkRows} or {@link #address} checks the range against the tensor's own
     * segment once per call; the caller keeps the file open while a product runs,
     * as the engine does (reads through this segment are not seen by a shared arena's close).
     */
    static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /**
     * Checks what every integer kernel needs of its weights {@code src[offset, offset + bytes)}:
     * native memory (a mapped file), still open, and the range inside the segment.
     */
    static void checkReadable(MemorySegment src, long offset, long bytes) {
        if (!src.isNative()) {
            throw new IllegalArgumentException("the integer kernels read native memory (a mapped file), not a heap segment");
        }
        if (!src.scope().isAlive()) {
            throw new IllegalStateException("the tensor's file is closed");
        }
        Objects.checkFromIndexSize(offset, bytes, src.byteSize());
    }

    /** {@link #checkReadable} for {@code rows} rows of {@code rowSize} bytes, {@code rowBytes} apart, from {@code offset}. */
    static void checkRows(MemorySegment src, long offset, long rowBytes, int rows, long rowSize) {
        if (rows > 0) {
            checkReadable(src, offset, (rows - 1) * rowBytes + rowSize);
        }
    }

    /** The address of {@code src[offset, offset + bytes)} for reading through {@link #MEMORY}, after {@link #checkReadable}. */
    static long address(MemorySegment src, long offset, long bytes) {
        checkReadable(src, offset, bytes);
        return src.address() + offset;
    }

    /**
     * Every half float's value, indexed by its 16 bits (256 KB): Q4_0's and Q8_0's integer
     * kernels look up a block's scale instead of converting it, one instruction fewer per block
     * (a load in place of a move to a vector register and a conversion; kernel harness Q4_0
     * 1.02-1.11x, Q8_0 1.03-1.08x, BENCHMARKS.md). A tensor's scales span a few exponents, so
     * few of the table's cache lines are in use.
     */
    static final float[] HALVES = new float[1 << 16];

    static {
        for (int h = 0; h < HALVES.length; h++) {
            HALVES[h] = Float.float16ToFloat((short) h);
        }
    }

    /** The half float at {@code offset}, through {@link #HALVES}. */
    static float fp16Table(MemorySegment s, long offset) {
        return HALVES[s.get(SHORT_LE, offset) & 0xFFFF];
    }

    static float fp16(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(SHORT_LE, offset));
    }

    static void putFp16(MemorySegment s, long offset, float v) {
        s.set(SHORT_LE, offset, Float.floatToFloat16(v));
    }

    /**
     * The high nibble of each byte. x86 has no byte shift: shifting 16-bit lanes and masking is
     * faster than a byte-lane shift (measured on AVX2), and the mask drops the bits pulled in
     * from the neighbouring byte.
     */
    static ByteVector highNibbles(ByteVector q) {
        return q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF);
    }

    /** The smallest value, by plain comparison as ggml's quantizers (not Math.min, which orders -0 and NaN). */
    static float min(float[] x, int from, int n) {
        float min = Float.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (x[from + i] < min) {
                min = x[from + i];
            }
        }
        return min;
    }

    /** The largest value, by plain comparison as ggml's quantizers. */
    static float max(float[] x, int from, int n) {
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (x[from + i] > max) {
                max = x[from + i];
            }
        }
        return max;
    }

    /** C's roundf: halves go away from zero (Math.round would send -2.5 to -2). */
    static int roundf(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    /**
     * Adds the 16 signed byte weights of {@code q} times {@code x[xi..xi+15]} into {@code acc}.
     * The part loop has a constant trip count, so the JIT unrolls it into plain widenings.
     */
    static FloatVector dot16(ByteVector q, float[] x, int xi, FloatVector acc) {
        for (int p = 0; p < PARTS; p++) {
            FloatVector w = (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
            acc = w.fma(FloatVector.fromArray(F, x, xi + p * L), acc);
        }
        return acc;
    }

    /**
     * Like {@link #dot16} for 5-bit weights: weight j is byte j of {@code q} plus 16 where bit j
     * of {@code fifth} is set. The bits become float-lane masks directly, so no byte-level
     * bit spreading is needed.
     */
    static FloatVector dot16(ByteVector q, int fifth, float[] x, int xi, FloatVector acc) {
        for (int p = 0; p < PARTS; p++) {
            FloatVector w = (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
            w = w.add(16f, VectorMask.fromLong(F, fifth >>> (p * L)));
            acc = w.fma(FloatVector.fromArray(F, x, xi + p * L), acc);
        }
        return acc;
    }

    /** Like {@link #dot16} for weights q * d + m (q unsigned). */
    static FloatVector dot16(ByteVector q, FloatVector d, FloatVector m, float[] x, int xi, FloatVector acc) {
        for (int p = 0; p < PARTS; p++) {
            FloatVector w = ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).fma(d, m);
            acc = w.fma(FloatVector.fromArray(F, x, xi + p * L), acc);
        }
        return acc;
    }

    /** Like {@link #dot16} for 5-bit weights (as above) times d plus m. */
    static FloatVector dot16(ByteVector q, int fifth, FloatVector d, FloatVector m, float[] x, int xi, FloatVector acc) {
        for (int p = 0; p < PARTS; p++) {
            FloatVector w = (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
            w = w.add(16f, VectorMask.fromLong(F, fifth >>> (p * L))).fma(d, m);
            acc = w.fma(FloatVector.fromArray(F, x, xi + p * L), acc);
        }
        return acc;
    }
}

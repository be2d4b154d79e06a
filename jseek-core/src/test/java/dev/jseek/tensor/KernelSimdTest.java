package dev.jseek.tensor;

import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.gguf.GgufFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API dot product agrees with the plain loop and with a double-precision dot of the
 * dequantized weights, for short and long rows, unaligned weights and odd offsets into x.
 */
class KernelSimdTest {

    /** Rows are cut from this zoo tensor (256 x 256) for types that cannot quantize. */
    private static final String ZOO_TENSOR = "blk.0.ffn_down.weight";
    private static final int[] X_OFFSETS = {0, 1, 3, 7};

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jseek.tensor.TypeCases#supported")
    void dotMatchesScalarAndDouble(GgmlType type) throws IOException {
        int[] lengths = type.blockSize == 1
                ? new int[] {1, 3, 8, 31, 64, 257, 1000, 4099}
                : type.blockSize == 32 ? new int[] {32, 64, 96, 256, 1024, 4096} : new int[] {256, 512, 1024, 4096};
        try (Arena arena = Arena.ofConfined(); GgufFile zoo = type.kernel().canQuantize() ? null : TypeCases.zoo(type, "")) {
            Random random = new Random(1234 + type.id);
            List<Row> rows = new ArrayList<>();
            for (int n : lengths) {
                for (int trial = 0; trial < 3; trial++) {
                    rows.add(zoo == null ? quantizedRow(type, n, random, arena) : zooRow(type, n, random, zoo));
                }
            }
            // Run the longest row hot first, so the checks exercise the JIT's vector code and not
            // only the interpreter's fallback implementation of the Vector API.
            Row longest = rows.getLast();
            float[] warmX = new float[longest.n()];
            for (int i = 0; i < 3000; i++) {
                type.kernel().dot(longest.weights(), longest.offset(), warmX, 0, longest.n(), new float[TypeKernel.SCRATCH]);
            }
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                float[] dequantized = new float[row.n()];
                type.kernel().dequantize(row.weights(), row.offset(), dequantized, 0, row.n());
                for (int xOffset : X_OFFSETS) {
                    float[] x = new float[xOffset + row.n() + 5];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) random.nextGaussian();
                    }
                    check(type, row.n(), r, xOffset, row.weights(), row.offset(), dequantized, x);
                }
            }
        }
    }

    static Stream<GgmlType> int8Types() {
        return TypeCases.supported().filter(t -> t.kernel().hasInt8Dot());
    }

    /** The integer kernels' types with one fp16 scale per 32 weights (the K-quants' scales are 6- and 8-bit under a super-block's). */
    static Stream<GgmlType> int8TypesOfBlocks32() {
        return int8Types().filter(t -> t.blockSize == 32);
    }

    /**
     * The integer dot product with 8-bit activations agrees with a double-precision dot of the
     * dequantized weights and the rounded activations, hot (JIT vector code) and cold.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("int8Types")
    void int8DotMatchesRoundedActivations(GgmlType type) {
        Q8Activations.Format format = ActivationRounding.int8Partner(type);
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(99 + type.id);
            for (int rep = 0; rep < 2; rep++) {
                for (int n : new int[] {type.blockSize, 2 * type.blockSize, 3 * type.blockSize, 4096, 8192}) {
                    Row row = quantizedRow(type, n, random, arena);
                    float[] dequantized = new float[n];
                    type.kernel().dequantize(row.weights(), row.offset(), dequantized, 0, n);
                    float[] x = gaussian(random, n, 1);
                    Q8Activations q8 = new Q8Activations();
                    q8.quantize(format, x, n);
                    float[] rounded = new ActivationRounding().apply(type, x, n);
                    Exact want = Exact.dot(dequantized, rounded, 0, n);
                    float[] scratch = new float[TypeKernel.SCRATCH];
                    float got = type.kernel().dot(row.weights(), row.offset(), q8, n, scratch);
                    assertTrue(Math.abs(got - want.sum()) <= want.tolerance(),
                            type + " int8 dot n=" + n + ": " + got + " vs " + want.sum());
                }
                // Second round with the kernel compiled.
                Row hot = quantizedRow(type, 4096, random, arena);
                Q8Activations q8 = new Q8Activations();
                q8.quantize(format, gaussian(random, 4096, 1), 4096);
                float[] scratch = new float[TypeKernel.SCRATCH];
                for (int i = 0; i < 5000; i++) {
                    type.kernel().dot(hot.weights(), hot.offset(), q8, 4096, scratch);
                }
            }
        }
    }

    /** Zero, subnormal, the smallest normal, the largest, both signs, and ordinary halves. */
    private static final short[] SPECIAL_HALVES = {0x0000, (short) 0x8000, 0x0001, (short) 0x8001, 0x03FF, (short) 0x83FF,
        0x0400, (short) 0x8400, 0x7BFF, (short) 0xFBFF, 0x3C00, (short) 0xB555, 0x2E66, 0x1234};

    /**
     * Blocks of 32 keep their scale as an fp16 in the block's first two bytes, which a kernel may
     * turn into a float through a table, a conversion or bits moved in vector lanes: every kind of
     * half (zero, subnormal, normal, largest, both signs) in each place of seven blocks (at 512
     * bits Q4_0 takes four at a time, then a pair, then one) gives the dot product of the
     * dequantized weights, cold and compiled.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("int8TypesOfBlocks32")
    void int8DotReadsEveryKindOfHalfScale(GgmlType type) {
        Q8Activations.Format format = ActivationRounding.int8Partner(type);
        int blocks = 7;
        int n = blocks * 32;
        Random random = new Random(41 + type.id);
        try (Arena arena = Arena.ofConfined()) {
            Q8Activations q8 = new Q8Activations();
            float[] x = gaussian(random, n, 1);
            q8.quantize(format, x, n);
            float[] rounded = new ActivationRounding().apply(type, x, n);
            float[] scratch = new float[TypeKernel.SCRATCH];
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < SPECIAL_HALVES.length; i++) {
                    Row row = quantizedRow(type, n, random, arena);
                    for (int b = 0; b < blocks; b++) {
                        // Over the rounds every half takes every block's place.
                        short half = SPECIAL_HALVES[(i + 5 * b) % SPECIAL_HALVES.length];
                        row.weights().set(JAVA_SHORT_UNALIGNED, row.offset() + b * type.bytesFor(32), half);
                    }
                    float[] dequantized = new float[n];
                    type.kernel().dequantize(row.weights(), row.offset(), dequantized, 0, n);
                    Exact want = Exact.dot(dequantized, rounded, 0, n);
                    float got = type.kernel().dot(row.weights(), row.offset(), q8, n, scratch);
                    assertTrue(Math.abs(got - want.sum()) <= want.tolerance(),
                            type + " halves " + i + " round " + round + ": " + got + " vs " + want.sum());
                    if (round == 0) {
                        for (int warm = 0; warm < 20000; warm++) {
                            type.kernel().dot(row.weights(), row.offset(), q8, n, scratch);
                        }
                    }
                }
            }
        }
    }

    /**
     * The 16-bit arithmetic at the ends of its range: every weight byte the same extreme (Q8_0's
     * -128 and 127, Q4_0's nibbles 0 and 15) against activations that all round to 127 or all to
     * -127, so every product and every sum of products is as large as the types allow.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("int8TypesOfBlocks32")
    void int8DotAtTheEndsOfTheRange(GgmlType type) {
        Q8Activations.Format format = ActivationRounding.int8Partner(type);
        int n = 7 * 32;
        long blockBytes = type.bytesFor(32);
        try (Arena arena = Arena.ofConfined()) {
            float[] scratch = new float[TypeKernel.SCRATCH];
            for (int round = 0; round < 2; round++) {
                for (byte fill : new byte[] {(byte) 0x80, 0x7F, 0x00, (byte) 0xFF}) {
                    for (float sign : new float[] {1, -1}) {
                        Row row = quantizedRow(type, n, new Random(5), arena);
                        for (int b = 0; b < n / 32; b++) {
                            long at = row.offset() + b * blockBytes;
                            row.weights().asSlice(at + 2, blockBytes - 2).fill(fill);
                        }
                        float[] x = new float[n];
                        Arrays.fill(x, sign);
                        Q8Activations q8 = new Q8Activations();
                        q8.quantize(format, x, n);
                        float[] dequantized = new float[n];
                        type.kernel().dequantize(row.weights(), row.offset(), dequantized, 0, n);
                        Exact want = Exact.dot(dequantized, new ActivationRounding().apply(type, x, n), 0, n);
                        float got = type.kernel().dot(row.weights(), row.offset(), q8, n, scratch);
                        assertTrue(Math.abs(got - want.sum()) <= want.tolerance(),
                                type + " bytes " + fill + " x " + sign + " round " + round + ": " + got + " vs " + want.sum());
                        for (int warm = 0; round == 0 && warm < 20000; warm++) {
                            type.kernel().dot(row.weights(), row.offset(), q8, n, scratch);
                        }
                    }
                }
            }
        }
    }

    /**
     * The integer kernels read weights by address, so they check the range first: a heap
     * segment, a closed file and rows past the segment's end are refused with an exception.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("int8Types")
    void int8DotRefusesWhatItCannotRead(GgmlType type) {
        Q8Activations.Format format = ActivationRounding.int8Partner(type);
        int n = 2 * format.block;
        long bytes = type.bytesFor(n);
        Q8Activations q8 = new Q8Activations();
        q8.quantize(format, gaussian(new Random(3), n, 1), n);
        float[] scratch = new float[TypeKernel.SCRATCH];
        TypeKernel kernel = type.kernel();
        MemorySegment heap = MemorySegment.ofArray(new byte[(int) bytes]);
        assertThrows(IllegalArgumentException.class, () -> kernel.dot(heap, 0, q8, n, scratch));
        Arena closing = Arena.ofShared();
        MemorySegment closed = closing.allocate(bytes);
        closing.close();
        assertThrows(IllegalStateException.class, () -> kernel.dot(closed, 0, q8, n, scratch));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment weights = arena.allocate(bytes);
            assertThrows(IndexOutOfBoundsException.class, () -> kernel.dot(weights, 1, q8, n, scratch));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> kernel.dotRows(weights, 0, bytes, 2, q8, n, new float[2], 0, scratch));
        }
    }

    /**
     * The rows of {@code dotRows} are exactly the single-row integer dot products, for row counts
     * below, at and across the kernels' batch of rows, and it writes only its own range of out.
     * Rows go to the two-row kernels where a type has them (row r with row r + rows/2; an odd
     * count leaves a last row alone); 4160 weights, not whole fours of Q4_0 blocks, to the
     * one-row ones.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("int8Types")
    void dotRowsIsOneDotPerRow(GgmlType type) {
        Q8Activations.Format format = ActivationRounding.int8Partner(type);
        dotRowsIsOneDotPerRow(type, 2 * format.block * (type.blockSize == 32 ? 8 : 1));
        dotRowsIsOneDotPerRow(type, 4096);
        if (type.blockSize == 32) {
            dotRowsIsOneDotPerRow(type, 4160);
        }
    }

    private static void dotRowsIsOneDotPerRow(GgmlType type, int n) {
        Q8Activations.Format format = ActivationRounding.int8Partner(type);
        long rowBytes = type.bytesFor(n);
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(7 + type.id);
            int maxRows = 2 * TypeKernel.ROW_BATCH + 5;
            MemorySegment weights = arena.allocate(3 + maxRows * rowBytes, 64);
            for (int r = 0; r < maxRows; r++) {
                type.kernel().quantize(gaussian(random, n, 1 + random.nextInt(4)), 0, weights, 3 + r * rowBytes, n);
            }
            Q8Activations q8 = new Q8Activations();
            q8.quantize(format, gaussian(random, n, 1), n);
            float[] scratch = new float[TypeKernel.SCRATCH];
            for (int rows : new int[] {1, 2, TypeKernel.ROW_BATCH - 1, TypeKernel.ROW_BATCH, TypeKernel.ROW_BATCH + 1, 2 * TypeKernel.ROW_BATCH, maxRows}) {
                float[] out = new float[rows + 2];
                out[0] = -1;
                out[rows + 1] = -2;
                type.kernel().dotRows(weights, 3, rowBytes, rows, q8, n, out, 1, scratch);
                for (int r = 0; r < rows; r++) {
                    float one = type.kernel().dot(weights, 3 + r * rowBytes, q8, n, new float[TypeKernel.SCRATCH]);
                    assertEquals(one, out[1 + r], type + " row " + r + " of " + rows + ", " + n + " weights");
                }
                assertEquals(-1, out[0], type + ": wrote before its range");
                assertEquals(-2, out[rows + 1], type + ": wrote past its range");
            }
        }
    }

    /** A float64 dot product, and the error allowed a float kernel: 1e-5 of the sum of |w_i x_i|. */
    private record Exact(double sum, double tolerance) {
        static Exact dot(float[] w, float[] x, int xOffset, int n) {
            double sum = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                double p = (double) w[i] * x[xOffset + i];
                sum += p;
                magnitude += Math.abs(p);
            }
            return new Exact(sum, 1e-5 * magnitude + 1e-30);
        }
    }

    private record Row(MemorySegment weights, long offset, int n) {
    }

    /** Random weights quantized at an odd byte offset: the kernels must not rely on aligned weights. */
    private static Row quantizedRow(GgmlType type, int n, Random random, Arena arena) {
        long offset = 3;
        MemorySegment weights = arena.allocate(offset + type.bytesFor(n), 64);
        type.kernel().quantize(gaussian(random, n, 1 + random.nextInt(4)), 0, weights, offset, n);
        return new Row(weights, offset, n);
    }

    /** {@code n} consecutive weights of a zoo tensor, starting at a random row. */
    private static Row zooRow(GgmlType type, int n, Random random, GgufFile zoo) {
        Tensor t = zoo.tensor(ZOO_TENSOR);
        assertEquals(type, t.type(), ZOO_TENSOR + " type");
        long rows = Math.max(n / t.rowLength(), 1);
        long row = random.nextLong(t.rows() - rows + 1);
        return new Row(t.data(), row * t.rowBytes(), n);
    }

    private static void check(GgmlType type, int n, int row, int xOffset, MemorySegment weights, long offset,
                              float[] dequantized, float[] x) {
        Exact want = Exact.dot(dequantized, x, xOffset, n);
        double exact = want.sum();
        double tolerance = want.tolerance();
        float vector = type.kernel().dot(weights, offset, x, xOffset, n, new float[TypeKernel.SCRATCH]);
        float scalar = type.kernel().dotScalar(weights, offset, x, xOffset, n);
        String where = type + " (" + FloatVector.SPECIES_PREFERRED + ") n=" + n + " row " + row + " xOffset=" + xOffset + ": ";
        assertTrue(Math.abs(vector - exact) <= tolerance,
                where + "dot " + vector + " vs exact " + exact + " (tolerance " + tolerance + ")");
        assertTrue(Math.abs(scalar - exact) <= tolerance,
                where + "dotScalar " + scalar + " vs exact " + exact + " (tolerance " + tolerance + ")");
        assertTrue(Math.abs(vector - scalar) <= tolerance, where + "dot " + vector + " vs dotScalar " + scalar);
    }

    /** Normal values with a scale that changes every 32 weights, as real rows do. */
    static float[] gaussian(Random random, int n, double scale) {
        float[] w = new float[n];
        double s = scale;
        for (int i = 0; i < n; i++) {
            if (i % 32 == 0) {
                s = scale * Math.exp(random.nextGaussian());
            }
            w[i] = (float) (s * random.nextGaussian());
        }
        return w;
    }
}

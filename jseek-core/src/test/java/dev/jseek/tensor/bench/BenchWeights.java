package dev.jseek.tensor.bench;

import dev.jseek.tensor.GgmlType;
import dev.jseek.tensor.Tensor;
import dev.jseek.tensor.TypeKernel;
import dev.jseek.tensor.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Random;

/** Weight matrices and settings shared by the kernel benchmarks. */
final class BenchWeights {

    /** Rows and row length of a benchmark matrix: a 7B model's attention projection. */
    static final int SIZE = 4096;

    /** Byte offsets of the fp16 scales (d, dmin) inside one block of each block type. */
    private static final Map<GgmlType, int[]> SCALES = Map.ofEntries(
            Map.entry(GgmlType.Q4_0, new int[] {0}),
            Map.entry(GgmlType.Q4_1, new int[] {0, 2}),
            Map.entry(GgmlType.Q5_0, new int[] {0}),
            Map.entry(GgmlType.Q5_1, new int[] {0, 2}),
            Map.entry(GgmlType.Q8_0, new int[] {0}),
            Map.entry(GgmlType.Q2_K, new int[] {80, 82}),
            Map.entry(GgmlType.Q3_K, new int[] {108}),
            Map.entry(GgmlType.Q4_K, new int[] {0, 2}),
            Map.entry(GgmlType.Q5_K, new int[] {0, 2}),
            Map.entry(GgmlType.Q6_K, new int[] {208}),
            Map.entry(GgmlType.IQ4_NL, new int[] {0}),
            Map.entry(GgmlType.IQ4_XS, new int[] {0}));

    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BenchWeights() {
    }

    /** "all" is one thread per physical core. */
    static int threads(String spec) {
        return spec.equals("all") ? WorkerPool.physicalCores() : Integer.parseInt(spec);
    }

    /**
     * A {@code rows} x {@code rowLength} matrix of {@code type}: random normal weights through
     * the type's quantizer, or, for a type without one, random blocks whose fp16 scales are
     * set to sane values (random bits there could be huge, NaN or subnormal and slow the math).
     */
    static Tensor matrix(GgmlType type, int rowLength, int rows, long seed) {
        TypeKernel k = type.kernel();
        long rowBytes = type.bytesFor(rowLength);
        MemorySegment data = Arena.ofAuto().allocate(rowBytes * rows, 64);
        Random random = new Random(seed);
        if (k.canQuantize()) {
            float[] row = new float[rowLength];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < rowLength; i++) {
                    row[i] = (float) (random.nextGaussian() * 0.05);
                }
                k.quantize(row, 0, data, r * rowBytes, rowLength);
            }
        } else {
            int[] scales = SCALES.get(type);
            if (scales == null) {
                throw new IllegalStateException(type + " has neither a quantizer nor a known block layout");
            }
            byte[] bytes = new byte[(int) rowBytes];
            for (int r = 0; r < rows; r++) {
                random.nextBytes(bytes);
                MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, r * rowBytes, bytes.length);
            }
            for (long b = 0; b < data.byteSize(); b += type.blockBytes) {
                for (int at : scales) {
                    data.set(SHORT_LE, b + at, Float.floatToFloat16(0.001f + 0.01f * random.nextFloat()));
                }
            }
        }
        return new Tensor(type + "-" + rows + "x" + rowLength, type, new long[] {rowLength, rows}, data);
    }

    static float[] activations(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}

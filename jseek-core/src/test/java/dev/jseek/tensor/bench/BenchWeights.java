package dev.jseek.tensor.bench;

import dev.jseek.tensor.GgmlType;
import dev.jseek.tensor.Tensor;
import dev.jseek.tensor.TypeKernel;
import dev.jseek.tensor.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/** Weight matrices and settings shared by the kernel benchmarks. */
final class BenchWeights {

    /** Rows and row length of a benchmark matrix: a 7B model's attention projection. */
    static final int SIZE = 4096;

    private BenchWeights() {
    }

    /** "all" is one thread per physical core. */
    static int threads(String spec) {
        return spec.equals("all") ? WorkerPool.physicalCores() : Integer.parseInt(spec);
    }

    /** A {@code rows} x {@code rowLength} matrix of {@code type}: random normal weights through its quantizer. */
    static Tensor matrix(GgmlType type, int rowLength, int rows, long seed) {
        TypeKernel k = type.kernel();
        long rowBytes = type.bytesFor(rowLength);
        MemorySegment data = Arena.ofAuto().allocate(rowBytes * rows, 64);
        Random random = new Random(seed);
        float[] row = new float[rowLength];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < rowLength; i++) {
                row[i] = (float) (random.nextGaussian() * 0.05);
            }
            k.quantize(row, 0, data, r * rowBytes, rowLength);
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

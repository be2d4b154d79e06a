package dev.jseek.tensor.bench;

import dev.jseek.tensor.GgmlType;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.Tensor;
import dev.jseek.tensor.WorkerPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One 4096x4096 matrix-vector product per type, the decode step's inner loop. The {@code bytes}
 * counter is in weight bytes per second: divide by 1e9 for GB/s streamed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1) // the first second or two run the Vector API interpreted
@Measurement(iterations = 5, time = 1)
@Fork(1) // the forked JVM inherits this JVM's flags (the Vector API module, -XX:MaxVectorSize)
public class MatVecBench {

    @Param({"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    public String type;

    @Param({"1", "all"})
    public String threads;

    /**
     * {@code exact}: float activations; {@code act8}: rounded to llama.cpp's 8-bit blocks first,
     * as the CLI does by default (integer kernels where a type has them, rounded floats otherwise).
     */
    @Param({"exact", "act8"})
    public String activations;

    private WorkerPool pool;
    private MatMul matMul;
    private Tensor w;
    private float[] x;
    private float[] out;
    private long bytesPerOp;

    /** Weight bytes streamed, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Streamed {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup
    public void setUp() {
        pool = new WorkerPool(BenchWeights.threads(threads));
        matMul = new MatMul(pool, activations.equals("act8"));
        w = BenchWeights.matrix(GgmlType.valueOf(type), BenchWeights.SIZE, BenchWeights.SIZE, 1);
        x = BenchWeights.activations(BenchWeights.SIZE, 2);
        out = new float[BenchWeights.SIZE];
        bytesPerOp = w.rows() * w.rowBytes();
    }

    @TearDown
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public float[] matVec(Streamed streamed) {
        matMul.matVec(w, x, out);
        streamed.bytes += bytesPerOp;
        return out;
    }
}

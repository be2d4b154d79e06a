package dev.jseek.tensor.bench;

import dev.jseek.tensor.GgmlType;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.Tensor;
import dev.jseek.tensor.WorkerPool;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Prefill of 32 tokens through one 4096x4096 matrix: one batched product against 32 matVecs. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1) // the first second or two run the Vector API interpreted
@Measurement(iterations = 5, time = 1)
@Fork(1) // the forked JVM inherits this JVM's flags (the Vector API module, -XX:MaxVectorSize)
public class MatMatBench {

    private static final int BATCH = 32;

    @Param({"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    public String type;

    @Param({"all"})
    public String threads;

    private WorkerPool pool;
    private MatMul matMul;
    private Tensor w;
    private float[] x;
    private float[] out;
    /** The same tokens and results one array per token, as a decode loop would hold them. */
    private float[][] xs;
    private float[][] outs;

    @Setup
    public void setUp() {
        pool = new WorkerPool(BenchWeights.threads(threads));
        matMul = new MatMul(pool);
        w = BenchWeights.matrix(GgmlType.valueOf(type), BenchWeights.SIZE, BenchWeights.SIZE, 1);
        x = BenchWeights.activations(BATCH * BenchWeights.SIZE, 2);
        out = new float[BATCH * BenchWeights.SIZE];
        xs = new float[BATCH][];
        outs = new float[BATCH][BenchWeights.SIZE];
        for (int t = 0; t < BATCH; t++) {
            xs[t] = Arrays.copyOfRange(x, t * BenchWeights.SIZE, (t + 1) * BenchWeights.SIZE);
        }
    }

    @TearDown
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public float[] batched() {
        matMul.matMat(w, x, BATCH, out);
        return out;
    }

    @Benchmark
    public float[][] unbatched() {
        for (int t = 0; t < BATCH; t++) {
            matMul.matVec(w, xs[t], outs[t]);
        }
        return outs;
    }
}

package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.gguf.GgufFile;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * matVec and matMat against a float64 product of the dequantized rows, on every 2-D weight of
 * the zoo file of each type (random weights quantized by llama.cpp) plus a slice with an odd
 * row count, for 1, 2 and 3 threads; and the same with llama.cpp's activation rounding (where
 * matVec takes the integer kernels) against a float64 product on the rounded activations.
 */
class MatMulTest {

    /**
     * Error allowed, relative to the sum of |w_i x_i|: a few float epsilons (float sums over
     * 256-long rows stay below 1e-7 of it on every type; a wrong row or block is off by far more).
     */
    private static final double TOLERANCE = 5e-7;
    private static final int[] BATCHES = {1, 3, 17};

    private static final List<MatMul> MATMULS = new ArrayList<>();
    /** Products on llama.cpp's rounded activations (integer kernels where a type has them), one per pool. */
    private static final List<MatMul> ROUNDING = new ArrayList<>();

    @BeforeAll
    static void pools() {
        for (int threads = 1; threads <= 3; threads++) {
            WorkerPool pool = new WorkerPool(threads);
            MATMULS.add(new MatMul(pool));
            ROUNDING.add(new MatMul(pool, true));
        }
    }

    @AfterAll
    static void closePools() {
        MATMULS.forEach(m -> m.pool().close());
    }

    static Stream<GgmlType> types() {
        return Arrays.stream(GgmlType.values()).filter(GgmlType::isSupported);
    }

    @ParameterizedTest
    @MethodSource("types")
    void matchesFloat64Reference(GgmlType type) throws IOException {
        try (GgufFile zoo = GgufFile.open(TestData.file("models/zoo." + type + ".gguf"))) {
            List<Tensor> weights = new ArrayList<>();
            for (Tensor t : zoo.tensors()) {
                if (t.shape().length == 2 && t.type() == type) {
                    weights.add(t);
                }
            }
            assertTrue(weights.size() >= 3, "zoo." + type + " has 2-D " + type + " weights");
            Tensor big = weights.stream().max((a, b) -> Long.compare(a.rows(), b.rows())).orElseThrow();
            // 37 rows: neither the tile height nor any thread count divides it.
            weights.add(big.rows(0, 37, big.name() + "[0:37]"));
            Random random = new Random(type.id);
            for (Tensor w : weights) {
                for (int batch : BATCHES) {
                    check(w, batch, random);
                }
            }
        }
    }

    private static void check(Tensor w, int batch, Random random) {
        int n = w.rowLength();
        float[] x = new float[batch * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        check(w, batch, x, x, MATMULS);
        float[] rounded = new ActivationRounding().apply(w.type(), x, x.length).clone();
        check(w, batch, x, rounded, ROUNDING);
    }

    /** The products of {@code matmuls} on {@code x} against a float64 product on {@code seen}, the activations they should use. */
    private static void check(Tensor w, int batch, float[] x, float[] seen, List<MatMul> matmuls) {
        int n = w.rowLength();
        int rows = (int) w.rows();
        double[] want = new double[batch * rows];
        double[] scale = new double[batch * rows];
        float[] row = new float[n];
        for (int r = 0; r < rows; r++) {
            w.dequantizeRow(r, row, 0);
            for (int t = 0; t < batch; t++) {
                double sum = 0;
                double abs = 0;
                for (int i = 0; i < n; i++) {
                    double p = (double) row[i] * seen[t * n + i];
                    sum += p;
                    abs += Math.abs(p);
                }
                want[t * rows + r] = sum;
                scale[t * rows + r] = abs;
            }
        }
        for (MatMul mm : matmuls) {
            float[] out = new float[batch * rows];
            Arrays.fill(out, Float.NaN);
            if (batch == 1) {
                mm.matVec(w, x, out);
                compare(w, "matVec", 1, mm, out, want, scale);
                Arrays.fill(out, Float.NaN);
            }
            mm.matMat(w, x, batch, out);
            compare(w, "matMat", batch, mm, out, want, scale);
        }
    }

    private static void compare(Tensor w, String op, int batch, MatMul mm, float[] got, double[] want, double[] scale) {
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[i] - want[i]);
            if (!(err <= TOLERANCE * scale[i])) {
                throw new AssertionError(String.format("%s %s %s batch %d, %d threads: out[%d] = %s, want %s (error %.3g of scale %.3g)",
                        w.type(), w.name(), op, batch, mm.pool().threads(), i, got[i], want[i], err, scale[i]));
            }
        }
    }

    /**
     * A tensor on the heap (an in-memory file) gets the same products: the integer kernels read
     * native memory only, so matVec takes the float kernels on the same rounded activations.
     */
    @ParameterizedTest
    @MethodSource("int8Types")
    void heapTensorsRoundTheSameWay(GgmlType type) throws IOException {
        try (GgufFile zoo = GgufFile.open(TestData.file("models/zoo." + type + ".gguf"))) {
            Tensor mapped = zoo.tensors().stream().filter(t -> t.shape().length == 2 && t.type() == type).findFirst().orElseThrow();
            MemorySegment heap = MemorySegment.ofArray(new byte[Math.toIntExact(mapped.data().byteSize())]);
            heap.copyFrom(mapped.data());
            Tensor onHeap = new Tensor(mapped.name() + " (heap)", type, mapped.shape(), heap);
            Random random = new Random(11 + type.id);
            float[] x = new float[onHeap.rowLength()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] rounded = new ActivationRounding().apply(type, x, x.length).clone();
            check(onHeap, 1, x, rounded, ROUNDING);
        }
    }

    static Stream<GgmlType> int8Types() {
        return types().filter(t -> t.kernel().hasInt8Dot());
    }

    /**
     * Products of one input grouped ({@code matMats}) give, bit for bit, each product on its own:
     * one type (the integer kernels on one rounding, rows of several matrices in one range),
     * types that round alike (Q4_K with Q6_K), types that do not (Q4_0, Q4_K and F16: one product
     * at a time), and a tensor on the heap among mapped ones; for 1, 2 and 3 threads.
     */
    @Test
    void groupedProductsAreTheSingleProducts() throws IOException {
        List<GgufFile> files = new ArrayList<>();
        try {
            for (GgmlType type : List.of(GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F16)) {
                files.add(GgufFile.open(TestData.file("models/zoo." + type + ".gguf")));
            }
            List<Tensor> q40 = matrices(files.get(0));
            Tensor q80 = matrices(files.get(1)).getFirst();
            MemorySegment heap = MemorySegment.ofArray(new byte[Math.toIntExact(q80.data().byteSize())]);
            heap.copyFrom(q80.data());
            List<Tensor> withSlice = new ArrayList<>(q40);
            withSlice.add(q40.stream().filter(t -> t.rows() > 37).findFirst().orElseThrow().rows(0, 37, "slice"));
            List<List<Tensor>> groups = List.of(
                    withSlice,
                    List.of(matrices(files.get(2)).get(0), matrices(files.get(3)).get(0), matrices(files.get(2)).get(1)),
                    List.of(q40.get(0), matrices(files.get(2)).get(0), matrices(files.get(4)).get(0)),
                    List.of(q80, new Tensor("heap", q80.type(), q80.shape(), heap)));
            Random random = new Random(5);
            for (List<Tensor> group : groups) {
                Tensor[] ws = group.toArray(Tensor[]::new);
                int n = ws[0].rowLength();
                for (int batch : new int[] {1, 3}) {
                    float[] x = new float[batch * n];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) random.nextGaussian();
                    }
                    for (MatMul mm : concat(MATMULS, ROUNDING)) {
                        float[][] outs = new float[ws.length][];
                        Arrays.setAll(outs, i -> new float[batch * (int) ws[i].rows()]);
                        mm.matMats(ws, x, batch, outs);
                        for (int i = 0; i < ws.length; i++) {
                            float[] alone = new float[outs[i].length];
                            mm.matMat(ws[i], x, batch, alone);
                            assertArrayEquals(alone, outs[i], ws[i].type() + " " + ws[i].name() + " in a group of " + ws.length
                                    + ", batch " + batch + ", " + mm.pool().threads() + " threads, rounding " + mm.roundsActivations());
                        }
                    }
                }
            }
        } finally {
            for (GgufFile f : files) {
                f.close();
            }
        }
    }

    private static List<Tensor> matrices(GgufFile file) {
        return file.tensors().stream().filter(t -> t.shape().length == 2).toList();
    }

    private static List<MatMul> concat(List<MatMul> a, List<MatMul> b) {
        List<MatMul> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void refusesMismatchedSizes() {
        int n = 64;
        int rows = 5;
        var data = java.lang.foreign.Arena.ofAuto().allocate(4L * n * rows);
        Tensor w = new Tensor("w", GgmlType.F32, new long[] {n, rows}, data);
        MatMul mm = MATMULS.get(1);
        assertThrows(IllegalArgumentException.class, () -> mm.matVec(w, new float[n - 1], new float[rows]));
        assertThrows(IllegalArgumentException.class, () -> mm.matVec(w, new float[n], new float[rows - 1]));
        assertThrows(IllegalArgumentException.class, () -> mm.matMat(w, new float[2 * n], 3, new float[3 * rows]));
        assertThrows(IllegalArgumentException.class, () -> mm.matMat(w, new float[3 * n], 3, new float[3 * rows - 1]));
        assertThrows(IllegalArgumentException.class, () -> mm.matMat(w, new float[3 * n], 0, new float[3 * rows]));
        Tensor shortData = new Tensor("short", GgmlType.F32, new long[] {n, rows + 1}, data);
        assertThrows(IllegalArgumentException.class, () -> mm.matVec(shortData, new float[n], new float[rows + 1]));
        Tensor ragged = new Tensor("ragged", GgmlType.Q8_0, new long[] {48, 2}, data);
        assertThrows(IllegalArgumentException.class, () -> mm.matVec(ragged, new float[48], new float[2]));
        Tensor narrow = new Tensor("narrow", GgmlType.F32, new long[] {n / 2, rows}, data);
        assertThrows(IllegalArgumentException.class, () -> mm.matMats(new Tensor[] {w, narrow}, new float[n], 1,
                new float[][] {new float[rows], new float[rows]}));
        assertThrows(IllegalArgumentException.class, () -> mm.matMats(new Tensor[] {w, w}, new float[n], 1,
                new float[][] {new float[rows]}));
    }
}

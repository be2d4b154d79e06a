package dev.jseek.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Products of a weight matrix (any supported type, read in place) with float activations,
 * rows split across a {@link WorkerPool}. Owned by the pool's caller: one call at a time.
 * Per-worker scratch is sized once and grows only when a longer row arrives.
 */
public final class MatMul {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Rows dequantized together: each pass over the tokens feeds two rows. */
    private static final int TILE_ROWS = 2;
    /** Tokens sharing one pass over the dequantized rows. */
    private static final int TILE_TOKENS = 4;

    private final WorkerPool pool;
    private final float[][] scratch;
    private final RangeTask vecTask = this::vecRange;
    private final RangeTask int8VecTask = this::int8VecRange;
    private final RangeTask matTask = this::matRange;

    // The current call, set by the caller before the pool publishes it to the workers: one or
    // more weight matrices of the same row length, their rows numbered one after another.
    private int parts;
    private MemorySegment[] data = new MemorySegment[1];
    private TypeKernel[] kernels = new TypeKernel[1];
    private long[] rowBytes = new long[1];
    /** Part p holds rows {@code [firstRow[p], firstRow[p + 1])} of the call. */
    private int[] firstRow = new int[2];
    private float[][] outs = new float[1][];
    private int rowLength;
    /** Tokens of a {@link #matMat} call (the one-token products do not read it). */
    private int batch;
    private float[] x;
    /** A single product's tensor and output, as a group of one. */
    private final Tensor[] single = new Tensor[1];
    private final float[][] singleOut = new float[1][];

    /** Rounds activations as llama.cpp does before each product, or null for exact float math. */
    private final ActivationRounding rounding;
    /** With rounding: the current vector as 8-bit blocks, when the kernel multiplies integers. */
    private final Q8Activations q8 = new Q8Activations();

    public MatMul(WorkerPool pool) {
        this(pool, false);
    }

    /** @param llamaCppActivations round activations as llama.cpp's CPU backend does (see {@link ActivationRounding}) */
    public MatMul(WorkerPool pool, boolean llamaCppActivations) {
        this.pool = pool;
        this.scratch = new float[pool.threads()][0];
        this.rounding = llamaCppActivations ? new ActivationRounding() : null;
    }

    public WorkerPool pool() {
        return pool;
    }

    /** Whether products round their activations as llama.cpp does (see {@link ActivationRounding}). */
    public boolean roundsActivations() {
        return rounding != null;
    }

    /** {@code out[r] = row r of w · x} for every row of {@code w}. */
    public void matVec(Tensor w, float[] x, float[] out) {
        single[0] = w;
        singleOut[0] = out;
        try {
            matVecs(single, x, singleOut);
        } finally {
            single[0] = null;
            singleOut[0] = null;
        }
    }

    /**
     * {@code out[t][r] = row r of w · x[t]} for {@code batch} tokens: {@code x} is
     * [batch][rowLength] and {@code out} is [batch][rows], both row-major. Each row is
     * dequantized once and multiplied with every token while it is hot in cache.
     */
    public void matMat(Tensor w, float[] x, int batch, float[] out) {
        if (batch == 1) {
            matVec(w, x, out);
            return;
        }
        check(w, x, batch, out);
        x = rounding != null ? rounding.apply(w.type(), x, batch * w.rowLength()) : x;
        setParts(1);
        setPart(0, w, out);
        this.batch = batch;
        this.x = x;
        try {
            growScratch(TILE_ROWS * rowLength + TILE_ROWS * TILE_TOKENS * L);
            pool.parallelFor((firstRow[1] + TILE_ROWS - 1) / TILE_ROWS, matTask);
        } finally {
            release();
        }
    }

    /**
     * {@link #matMat} of each of {@code ws} with the same input into the matching {@code outs}
     * (q, k and v; gate and up). With one token they run as one product: the input is rounded
     * once and the workers share all the rows in one pass, so the threads meet once instead of
     * once per matrix.
     */
    public void matMats(Tensor[] ws, float[] x, int batch, float[][] outs) {
        if (ws.length != outs.length) {
            throw new IllegalArgumentException(ws.length + " tensors but " + outs.length + " outputs");
        }
        for (Tensor w : ws) {
            if (w.rowLength() != ws[0].rowLength()) {
                throw new IllegalArgumentException("tensors " + ws[0].name() + " and " + w.name()
                        + " have rows of different lengths");
            }
        }
        if (batch == 1) {
            matVecs(ws, x, outs);
            return;
        }
        for (int i = 0; i < ws.length; i++) {
            matMat(ws[i], x, batch, outs[i]);
        }
    }

    /** The products of one token with tensors of one row length. */
    private void matVecs(Tensor[] ws, float[] x, float[][] outs) {
        Q8Activations.Format format = null;
        boolean allInt8 = rounding != null;
        int reads = 0;
        for (int i = 0; i < ws.length; i++) {
            reads |= ws[i].type().kernel().int8Reads();
            check(ws[i], x, 1, outs[i]);
            Q8Activations.Format f = ActivationRounding.int8Partner(ws[i].type());
            // The integer kernels read mapped memory by address; a tensor on the heap (an in-memory
            // file) takes the float kernel on the same rounded activations.
            allInt8 &= f != null && (format == null || f == format)
                    && ws[i].type().kernel().hasInt8Dot() && ws[i].data().isNative();
            format = f;
        }
        if (allInt8) {
            q8.quantize(format, x, ws[0].rowLength(), reads);
            runVecs(ws, x, outs, true);
        } else if (rounding == null) {
            runVecs(ws, x, outs, false);
        } else if (ws.length == 1) {
            runVecs(ws, rounding.apply(ws[0].type(), x, ws[0].rowLength()), outs, false);
        } else {
            // Not all on the integer kernels with one rounding: one product at a time, each
            // rounded for its type.
            for (int i = 0; i < ws.length; i++) {
                matVec(ws[i], x, outs[i]);
            }
        }
    }

    /** The products of {@code ws} with one token, their rows split across the pool as one range. */
    private void runVecs(Tensor[] ws, float[] x, float[][] outs, boolean int8) {
        setParts(ws.length);
        for (int p = 0; p < ws.length; p++) {
            setPart(p, ws[p], outs[p]);
        }
        this.x = x;
        try {
            growScratch(TypeKernel.SCRATCH);
            pool.parallelFor(firstRow[ws.length], int8 ? int8VecTask : vecTask);
        } finally {
            release();
        }
    }

    private void growScratch(int need) {
        for (int i = 0; i < scratch.length; i++) {
            if (scratch[i].length < need) {
                scratch[i] = new float[need];
            }
        }
    }

    /** Refuses a product whose sizes do not fit together, before any work starts. */
    private static void check(Tensor w, float[] x, int batch, float[] out) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        long n = w.shape()[0];
        long r = w.rows();
        if (r > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + w.name() + " has " + r + " rows, more than an int");
        }
        if (n % w.type().blockSize != 0) {
            throw new IllegalArgumentException("tensor " + w.name() + ": row length " + n
                    + " is not a multiple of the " + w.type() + " block size " + w.type().blockSize);
        }
        long bytes = r * w.rowBytes();
        if (w.data().byteSize() < bytes) {
            throw new IllegalArgumentException("tensor " + w.name() + " holds " + w.data().byteSize()
                    + " bytes, its shape needs " + bytes);
        }
        if (x.length < batch * n) {
            throw new IllegalArgumentException("input holds " + x.length + " floats, " + batch + " x "
                    + n + " needed for " + w.name());
        }
        if (out.length < batch * r) {
            throw new IllegalArgumentException("output holds " + out.length + " floats, " + batch + " x "
                    + r + " needed for " + w.name());
        }
    }

    private void setParts(int count) {
        if (data.length < count) {
            data = new MemorySegment[count];
            kernels = new TypeKernel[count];
            rowBytes = new long[count];
            firstRow = new int[count + 1];
            outs = new float[count][];
        }
        this.parts = count;
    }

    private void setPart(int p, Tensor w, float[] out) {
        long total = (long) firstRow[p] + w.rows();  // firstRow[0] is always 0
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensors up to " + w.name() + " have more rows than an int");
        }
        data[p] = w.data();
        kernels[p] = w.type().kernel();
        rowBytes[p] = w.rowBytes();
        firstRow[p + 1] = (int) total;
        outs[p] = out;
        rowLength = w.rowLength();
    }

    /** Drops the references to the caller's arrays and the mapped tensors. */
    private void release() {
        for (int p = 0; p < parts; p++) {
            data[p] = null;
            kernels[p] = null;
            outs[p] = null;
        }
        this.x = null;
    }

    private void int8VecRange(int worker, int from, int to) {
        for (int p = 0; p < parts; p++) {
            int lo = Math.max(from, firstRow[p]) - firstRow[p];
            int hi = Math.min(to, firstRow[p + 1]) - firstRow[p];
            if (lo < hi) {
                kernels[p].dotRows(data[p], lo * rowBytes[p], rowBytes[p], hi - lo, q8, rowLength, outs[p], lo, scratch[worker]);
            }
        }
    }

    private void vecRange(int worker, int from, int to) {
        float[] s = scratch[worker];
        for (int p = 0; p < parts; p++) {
            int lo = Math.max(from, firstRow[p]) - firstRow[p];
            int hi = Math.min(to, firstRow[p + 1]) - firstRow[p];
            TypeKernel kernel = kernels[p];
            MemorySegment segment = data[p];
            long bytes = rowBytes[p];
            float[] out = outs[p];
            for (int r = lo; r < hi; r++) {
                out[r] = kernel.dot(segment, r * bytes, x, 0, rowLength, s);
            }
        }
    }

    private void matRange(int worker, int fromTile, int toTile) {
        float[] s = scratch[worker];
        int n = rowLength;
        int rows = firstRow[1];
        MemorySegment data = this.data[0];
        TypeKernel kernel = kernels[0];
        long rowBytes = this.rowBytes[0];
        float[] out = outs[0];
        for (int tile = fromTile; tile < toTile; tile++) {
            int r0 = tile * TILE_ROWS;
            int nr = Math.min(TILE_ROWS, rows - r0);
            for (int k = 0; k < nr; k++) {
                kernel.dequantize(data, (r0 + k) * rowBytes, s, k * n, n);
            }
            int t = 0;
            if (nr == TILE_ROWS) {
                for (; t + TILE_TOKENS <= batch; t += TILE_TOKENS) {
                    tile2x4(s, n, x, t * n, out, t * rows + r0, rows);
                }
            }
            for (; t < batch; t++) {
                for (int k = 0; k < nr; k++) {
                    out[t * rows + r0 + k] = dot(s, k * n, x, t * n, n);
                }
            }
        }
    }

    /**
     * Two rows ({@code w[0..n)}, {@code w[n..2n)}) times four tokens ({@code x} from {@code xo},
     * {@code n} apart) into {@code out[o + t * stride + k]}: eight independent sums keep both FMA
     * units busy, and each loaded vector serves two or four of them. {@code w} holds eight
     * vectors more after the rows, for the sums' lanes.
     */
    private static void tile2x4(float[] w, int n, float[] x, int xo, float[] out, int o, int stride) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        int x1 = xo + n;
        int x2 = x1 + n;
        int x3 = x2 + n;
        int bound = F.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector u = FloatVector.fromArray(F, w, i);
            FloatVector v = FloatVector.fromArray(F, w, n + i);
            FloatVector q = FloatVector.fromArray(F, x, xo + i);
            a00 = u.fma(q, a00);
            a10 = v.fma(q, a10);
            q = FloatVector.fromArray(F, x, x1 + i);
            a01 = u.fma(q, a01);
            a11 = v.fma(q, a11);
            q = FloatVector.fromArray(F, x, x2 + i);
            a02 = u.fma(q, a02);
            a12 = v.fma(q, a12);
            q = FloatVector.fromArray(F, x, x3 + i);
            a03 = u.fma(q, a03);
            a13 = v.fma(q, a13);
        }
        // The lanes are added up in memory, in FloatOps.sum's order: eight inlined vector sums passed
        // C2's node budget, and the last accumulators were boxed (gigabytes allocated in a long prompt).
        int lanes = 2 * n;
        a00.intoArray(w, lanes);
        a01.intoArray(w, lanes + L);
        a02.intoArray(w, lanes + 2 * L);
        a03.intoArray(w, lanes + 3 * L);
        a10.intoArray(w, lanes + 4 * L);
        a11.intoArray(w, lanes + 5 * L);
        a12.intoArray(w, lanes + 6 * L);
        a13.intoArray(w, lanes + 7 * L);
        float s00 = FloatOps.sumLanes(w, lanes, L);
        float s01 = FloatOps.sumLanes(w, lanes + L, L);
        float s02 = FloatOps.sumLanes(w, lanes + 2 * L, L);
        float s03 = FloatOps.sumLanes(w, lanes + 3 * L, L);
        float s10 = FloatOps.sumLanes(w, lanes + 4 * L, L);
        float s11 = FloatOps.sumLanes(w, lanes + 5 * L, L);
        float s12 = FloatOps.sumLanes(w, lanes + 6 * L, L);
        float s13 = FloatOps.sumLanes(w, lanes + 7 * L, L);
        for (; i < n; i++) {
            float u = w[i];
            float v = w[n + i];
            s00 += u * x[xo + i];
            s10 += v * x[xo + i];
            s01 += u * x[x1 + i];
            s11 += v * x[x1 + i];
            s02 += u * x[x2 + i];
            s12 += v * x[x2 + i];
            s03 += u * x[x3 + i];
            s13 += v * x[x3 + i];
        }
        out[o] = s00;
        out[o + 1] = s10;
        out[o + stride] = s01;
        out[o + stride + 1] = s11;
        out[o + 2 * stride] = s02;
        out[o + 2 * stride + 1] = s12;
        out[o + 3 * stride] = s03;
        out[o + 3 * stride + 1] = s13;
    }

    /** {@code w[wo..wo+n) · x[xo..xo+n)}, for the rows and tokens left over by the tiles. */
    private static float dot(float[] w, int wo, float[] x, int xo, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            a0 = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = FloatVector.fromArray(F, w, wo + i + L).fma(FloatVector.fromArray(F, x, xo + i + L), a1);
        }
        for (; i <= n - L; i += L) {
            a0 = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, x, xo + i), a0);
        }
        float sum = FloatOps.sum(F, a0.add(a1));
        for (; i < n; i++) {
            sum += w[wo + i] * x[xo + i];
        }
        return sum;
    }
}

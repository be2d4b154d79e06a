package dev.jseek.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** The element-wise float operations of a forward pass, on slices of float arrays. */
public final class FloatOps {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private FloatOps() {
    }

    /**
     * {@code out = x / rms(x) * weight} over {@code n} elements. The sum of squares is kept in
     * double, as ggml does, so long rows lose nothing to rounding.
     */
    public static void rmsNorm(float[] out, int outOffset, float[] x, int xOffset, float[] weight, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            sum += v * v;
        }
        float scale = (float) (1.0 / Math.sqrt(sum / n + eps));
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xOffset + i).mul(scale).mul(FloatVector.fromArray(F, weight, i))
                    .intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * scale * weight[i];
        }
    }

    /** In-place softmax of {@code x[offset..offset+n)}; the normaliser is summed in double. */
    public static void softmax(float[] x, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        exp(x, offset, x, offset, n, 1f, max);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[offset + i];
        }
        float inv = (float) (1.0 / sum);
        scale(x, offset, n, inv);
    }

    /** {@code x[offset..offset+n) *= s}. */
    public static void scale(float[] x, int offset, int n, float s) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, offset + i).mul(s).intoArray(x, offset + i);
        }
        for (; i < n; i++) {
            x[offset + i] *= s;
        }
    }

    /** {@code y[yOffset..] += x[xOffset..]} over {@code n} elements. */
    public static void add(float[] y, int yOffset, float[] x, int xOffset, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, y, yOffset + i).add(FloatVector.fromArray(F, x, xOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] += x[xOffset + i];
        }
    }

    /** {@code y[yOffset..] += a * x[xOffset..]} over {@code n} elements. */
    public static void axpy(float[] y, int yOffset, float a, float[] x, int xOffset, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xOffset + i).fma(av, FloatVector.fromArray(F, y, yOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] += a * x[xOffset + i];
        }
    }

    /**
     * {@code y[yOffset..+n) += weights[w] * rows[r]} for {@code count} rows of {@code n}
     * ({@code rows} from {@code rowsOffset}, {@code n} apart; weights from {@code weightsOffset}):
     * each element gets the same operations in the same order as {@link #axpy} row after row, but
     * its sum stays in a register across the rows instead of going through memory for each one
     * (attention's weighted sum of values: one {@code axpy} per position spent two thirds of
     * attention's time in its stores).
     */
    public static void addWeightedRows(float[] y, int yOffset, int n, float[] rows, int rowsOffset, float[] weights,
                                       int weightsOffset, int count) {
        int l = F.length();
        int i = 0;
        for (int bound = n - 4 * l; i <= bound; i += 4 * l) {
            FloatVector a0 = FloatVector.fromArray(F, y, yOffset + i);
            FloatVector a1 = FloatVector.fromArray(F, y, yOffset + i + l);
            FloatVector a2 = FloatVector.fromArray(F, y, yOffset + i + 2 * l);
            FloatVector a3 = FloatVector.fromArray(F, y, yOffset + i + 3 * l);
            for (int r = 0, at = rowsOffset + i; r < count; r++, at += n) {
                FloatVector w = FloatVector.broadcast(F, weights[weightsOffset + r]);
                a0 = FloatVector.fromArray(F, rows, at).fma(w, a0);
                a1 = FloatVector.fromArray(F, rows, at + l).fma(w, a1);
                a2 = FloatVector.fromArray(F, rows, at + 2 * l).fma(w, a2);
                a3 = FloatVector.fromArray(F, rows, at + 3 * l).fma(w, a3);
            }
            a0.intoArray(y, yOffset + i);
            a1.intoArray(y, yOffset + i + l);
            a2.intoArray(y, yOffset + i + 2 * l);
            a3.intoArray(y, yOffset + i + 3 * l);
        }
        for (int bound = F.loopBound(n); i < bound; i += l) {
            FloatVector a = FloatVector.fromArray(F, y, yOffset + i);
            for (int r = 0, at = rowsOffset + i; r < count; r++, at += n) {
                a = FloatVector.fromArray(F, rows, at).fma(FloatVector.broadcast(F, weights[weightsOffset + r]), a);
            }
            a.intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            float a = y[yOffset + i];
            for (int r = 0, at = rowsOffset + i; r < count; r++, at += n) {
                a += weights[weightsOffset + r] * rows[at];
            }
            y[yOffset + i] = a;
        }
    }

    /** Lane i takes lane i + 4 (of 8) or i + 8 and i + 4 (of 16): the upper halves, moved down for {@link #sum}. */
    private static final VectorShuffle<Float> UPPER_FOUR_OF_EIGHT = VectorShuffle.fromOp(FloatVector.SPECIES_256, i -> (i + 4) % 8);
    private static final VectorShuffle<Float> UPPER_EIGHT_OF_SIXTEEN = VectorShuffle.fromOp(FloatVector.SPECIES_512, i -> (i + 8) % 16);
    private static final VectorShuffle<Float> UPPER_FOUR_OF_SIXTEEN = VectorShuffle.fromOp(FloatVector.SPECIES_512, i -> (i + 4) % 16);

    /**
     * The sum of the lanes of {@code v}, always in the same order: lanes i and i + L/2 are paired
     * until four are left, then (0 + 2) + (1 + 3). {@code reduceLanes(ADD)} may add in one order
     * while a kernel is interpreted and in another once C2 has compiled it, so the same input
     * could give a different last bit early in a run than later, and with activations rounded to
     * 8 bits such a bit can change a sampled token: same seed, same output needs a fixed order.
     */
    public static float sum(VectorSpecies<Float> species, FloatVector v) {
        // Adding to a zero of the known species gives C2 the exact vector class, which the
        // lane extracts need to compile to instructions rather than calls on a boxed vector.
        FloatVector w = FloatVector.zero(species).add(v);
        return switch (species.length()) {
            case 2 -> w.lane(0) + w.lane(1);
            case 4 -> (w.lane(0) + w.lane(2)) + (w.lane(1) + w.lane(3));
            // Lanes i and i + L/2 paired by adding the vector's upper half moved down: one shuffle
            // and one add instead of a lane extract and a scalar add per lane (dotting a cached
            // key, the lane extracts took most of the time).
            case 8 -> {
                FloatVector q = w.add(w.rearrange(UPPER_FOUR_OF_EIGHT));
                yield (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
            }
            case 16 -> {
                FloatVector h = w.add(w.rearrange(UPPER_EIGHT_OF_SIXTEEN));
                FloatVector q = h.add(h.rearrange(UPPER_FOUR_OF_SIXTEEN));
                yield (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
            }
            default -> {
                // Wider than 512 bits (SVE): the same halving on a copy.
                float[] lanes = w.toArray();
                for (int half = lanes.length / 2; half >= 4; half /= 2) {
                    for (int i = 0; i < half; i++) {
                        lanes[i] += lanes[i + half];
                    }
                }
                yield (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
            }
        };
    }

    /**
     * The sum of {@code lanes[0..n)} ({@code n} a power of two, at least 2) in the order of
     * {@link #sum}, overwriting the lanes. The kernels store their accumulator and add it here:
     * {@link #sum}, past C2's inlining budget at the end of a kernel, is left a call that
     * receives the vector boxed.
     */
    public static float sumLanes(float[] lanes, int n) {
        return sumLanes(lanes, 0, n);
    }

    /** {@link #sumLanes(float[], int)} of the {@code n} lanes at {@code lanes[from..)}. */
    public static float sumLanes(float[] lanes, int from, int n) {
        if (n == 2) {
            return lanes[from] + lanes[from + 1];
        }
        for (int half = n / 2; half >= 4; half /= 2) {
            for (int i = from; i < from + half; i++) {
                lanes[i] += lanes[i + half];
            }
        }
        return (lanes[from] + lanes[from + 2]) + (lanes[from + 1] + lanes[from + 3]);
    }

    /** The value of largest magnitude, sign kept (the first of equals); 0 for an all-zero run. */
    public static float signedExtreme(float[] x, int from, int n) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[from + i]);
            if (ax > amax) {
                amax = ax;
                max = x[from + i];
            }
        }
        return max;
    }

    /** Dot product of two float slices. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            acc = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc);
        }
        float sum = sum(F, acc);
        for (; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /**
     * SwiGLU: {@code gate[i] = silu(gate[i]) * up[i]}, with silu(x) = x / (1 + e^-x); the e^-x
     * go through {@code scratch}, as many at a time as it holds.
     */
    public static void swiglu(float[] gate, int gateOffset, float[] up, int upOffset, int n, float[] scratch) {
        if (scratch.length == 0) {
            throw new IllegalArgumentException("SwiGLU needs a scratch buffer of at least one float");
        }
        for (int done = 0; done < n; done += scratch.length) {
            int m = Math.min(scratch.length, n - done);
            int g0 = gateOffset + done;
            int u0 = upOffset + done;
            exp(scratch, 0, gate, g0, m, -1f, 0f);
            int i = 0;
            for (int bound = F.loopBound(m); i < bound; i += F.length()) {
                FloatVector.fromArray(F, gate, g0 + i).div(FloatVector.fromArray(F, scratch, i).add(1f))
                        .mul(FloatVector.fromArray(F, up, u0 + i)).intoArray(gate, g0 + i);
            }
            for (; i < m; i++) {
                gate[g0 + i] = gate[g0 + i] / (scratch[i] + 1f) * up[u0 + i];
            }
        }
    }

    private static final float LOG2E = 1.44269504f;
    /** ln 2 in two parts: k times the first is exact for the k that occur, so x - k ln 2 loses nothing. */
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;
    /**
     * Added and taken off again, rounds a float under 2^22 in magnitude to an integer, halves to
     * even: {@link Math#rint} in float arithmetic, the same in vector lanes.
     */
    static final float ROUND = 0x1.8p23f;
    /** Below this e^x is under the smallest normal float: 0. */
    private static final float EXP_MIN = -87.33654f;
    /** Above this (127.5 ln 2) 2^k no longer fits a float's exponent: infinity. */
    private static final float EXP_MAX = 88.37626f;
    /** A degree-6 polynomial for e^r on |r| <= ln2 / 2: 1 + r + r^2 (P0 + P1 r + ... + P5 r^5). */
    private static final float P0 = 5.0000001201e-1f;
    private static final float P1 = 1.6666665459e-1f;
    private static final float P2 = 4.1665795894e-2f;
    private static final float P3 = 8.3334519073e-3f;
    private static final float P4 = 1.3981999507e-3f;
    private static final float P5 = 1.9875691500e-4f;

    /**
     * e^x in float arithmetic: x = k ln 2 + r, e^r from a polynomial, times 2^k built from its
     * bits. Within 1 ulp of {@link Math#exp} (tested), several times faster in vectors, and
     * its vector loop gives the same bits lane by lane, so a result does not depend on
     * whether its element fell in a vector or in a loop's tail (thread counts split loops
     * differently). Under e^-87.3 it gives 0 and over e^88.4 infinity: softmax and SiLU, its
     * callers, need nothing finer there.
     */
    static float exp(float x) {
        if (x < EXP_MIN) {
            return 0f;
        }
        if (x > EXP_MAX) {
            return Float.POSITIVE_INFINITY;
        }
        float k = Math.fma(x, LOG2E, ROUND) - ROUND;
        float r = Math.fma(k, -LN2_HIGH, x);
        r = Math.fma(k, -LN2_LOW, r);
        float p = Math.fma(P5, r, P4);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P1);
        p = Math.fma(p, r, P0);
        float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat(((int) k + 127) << 23);
    }

    /**
     * {@code out[i] = e^(sign * x[i] - shift)} over {@code n} elements ({@code sign} 1 or -1, so
     * the argument is exact), the vector lanes with the same operations in the same order as
     * {@link #exp(float)}. The whole loop is one method: a vector passed to a helper that C2 had
     * already compiled on its own was boxed, and softmax allocated on every call (1.5 GB in the
     * second half of a 900-token decode).
     */
    static void exp(float[] out, int outOffset, float[] x, int xOffset, int n, float sign, float shift) {
        FloatVector high = FloatVector.broadcast(F, -LN2_HIGH);
        FloatVector low = FloatVector.broadcast(F, -LN2_LOW);
        FloatVector p3 = FloatVector.broadcast(F, P3);
        FloatVector p2 = FloatVector.broadcast(F, P2);
        FloatVector p1 = FloatVector.broadcast(F, P1);
        FloatVector p0 = FloatVector.broadcast(F, P0);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector a = FloatVector.fromArray(F, x, xOffset + i).mul(sign).sub(shift);
            FloatVector k = a.fma(LOG2E, ROUND).sub(ROUND);
            FloatVector r = k.fma(high, a);
            r = k.fma(low, r);
            FloatVector p = r.fma(P5, P4);
            p = p.fma(r, p3);
            p = p.fma(r, p2);
            p = p.fma(r, p1);
            p = p.fma(r, p0);
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            FloatVector twoToK = ((IntVector) k.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            y.mul(twoToK).blend(0f, a.lt(EXP_MIN)).blend(Float.POSITIVE_INFINITY, a.compare(VectorOperators.GT, EXP_MAX))
                    .intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = exp(sign * x[xOffset + i] - shift);
        }
    }
}

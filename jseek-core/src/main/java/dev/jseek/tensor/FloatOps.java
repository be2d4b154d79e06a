package dev.jseek.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** The element-wise float operations of a forward pass, on slices of float arrays. */
public final class FloatOps {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /**
     * Half floats, as many as {@link #F} has lanes, and the ints they widen to. With 64-bit
     * vectors (two floats) there is no short vector that small: the species takes four, and
     * {@link #dotHalves} stays a plain loop there.
     */
    private static final VectorSpecies<Short> HALVES = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, F.vectorBitSize() / 2)));
    private static final boolean HALF_VECTORS = HALVES.length() == F.length();
    private static final VectorSpecies<Integer> INTS = F.withLanes(int.class);

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
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
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
     * {@code h[hOffset..] · x[xOffset..]} over {@code n} elements, {@code h} holding half floats.
     * Written with the Vector API: C2 does not vectorize a plain loop that sums floats.
     */
    public static float dotHalves(short[] h, int hOffset, float[] x, int xOffset, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = HALF_VECTORS ? F.loopBound(n) : 0; i < bound; i += F.length()) {
            acc = halves(h, hOffset + i).fma(FloatVector.fromArray(F, x, xOffset + i), acc);
        }
        float sum = sum(F, acc);
        for (; i < n; i++) {
            sum += Float.float16ToFloat(h[hOffset + i]) * x[xOffset + i];
        }
        return sum;
    }

    /**
     * {@code h[at..]} as floats, exactly as {@link Float#float16ToFloat} converts each (the Vector
     * API has no half float conversion): the magnitude's bits moved to a float's places and
     * multiplied by 2^112, the difference of the two exponent biases, which also makes a half's
     * subnormals normal floats; infinities and NaNs take a float's all-ones exponent instead;
     * then the sign.
     */
    static FloatVector halves(short[] h, int at) {
        IntVector bits = (IntVector) ShortVector.fromArray(HALVES, h, at).convertShape(VectorOperators.S2I, INTS, 0);
        IntVector magnitude = bits.and(0x7FFF);
        IntVector moved = magnitude.lanewise(VectorOperators.LSHL, 13);
        FloatVector value = moved.reinterpretAsFloats().mul(0x1p112f)
                .blend(moved.or(0x7F800000).reinterpretAsFloats(), magnitude.compare(VectorOperators.GE, 0x7C00).cast(F));
        return value.reinterpretAsInts().or(bits.and(0x80000000)).reinterpretAsFloats();
    }

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
            case 8 -> sum8(w.lane(0), w.lane(1), w.lane(2), w.lane(3), w.lane(4), w.lane(5), w.lane(6), w.lane(7));
            case 16 -> sum8(w.lane(0) + w.lane(8), w.lane(1) + w.lane(9), w.lane(2) + w.lane(10), w.lane(3) + w.lane(11),
                    w.lane(4) + w.lane(12), w.lane(5) + w.lane(13), w.lane(6) + w.lane(14), w.lane(7) + w.lane(15));
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
        if (n == 2) {
            return lanes[0] + lanes[1];
        }
        for (int half = n / 2; half >= 4; half /= 2) {
            for (int i = 0; i < half; i++) {
                lanes[i] += lanes[i + half];
            }
        }
        return (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
    }

    private static float sum8(float l0, float l1, float l2, float l3, float l4, float l5, float l6, float l7) {
        return ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7));
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

    /** SwiGLU: {@code gate[i] = silu(gate[i]) * up[i]}, with silu(x) = x / (1 + e^-x). */
    public static void swiglu(float[] gate, int gateOffset, float[] up, int upOffset, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[gateOffset + i];
            gate[gateOffset + i] = g / (1f + (float) Math.exp(-g)) * up[upOffset + i];
        }
    }
}

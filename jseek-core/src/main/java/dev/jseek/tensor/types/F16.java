package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.Simd.F;
import static dev.jseek.tensor.types.Simd.L;
import static dev.jseek.tensor.types.Simd.LE;
import static dev.jseek.tensor.types.Simd.SHORT_LE;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** IEEE half floats (1 sign, 5 exponent, 10 mantissa bits), 2 bytes a weight little-endian, no blocks. */
public final class F16 implements TypeKernel {

    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(src.get(SHORT_LE, offset + 2L * i));
        }
    }

    /**
     * Widens L halves exactly. Placing the 15 magnitude bits 13 places up gives a float 2^112
     * times too small, normal or subnormal alike, so one multiply rescales it exactly; only an
     * all-ones exponent (infinity, NaN) needs its float exponent set to all ones by hand.
     */
    private static FloatVector widen(MemorySegment src, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, src, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        IntVector mag = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        VectorMask<Integer> special = mag.compare(VectorOperators.GE, 0x7C00 << 13);
        mag = mag.lanewise(VectorOperators.OR, 0x7F800000, special);
        IntVector scaled = mag.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        return scaled.or(h.lanewise(VectorOperators.LSHL, 16).and(0x80000000)).reinterpretAsFloats();
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 2 * L; i += 2 * L) {
            long b = offset + 2L * i;
            a0 = widen(src, b).fma(FloatVector.fromArray(F, x, xOffset + i), a0);
            a1 = widen(src, b + 2L * L).fma(FloatVector.fromArray(F, x, xOffset + i + L), a1);
        }
        for (; i <= n - L; i += L) {
            a0 = widen(src, offset + 2L * i).fma(FloatVector.fromArray(F, x, xOffset + i), a0);
        }
        // Small enough for FloatOps.sum to stay inline (through the scratch: F16 0.91x).
        float sum = FloatOps.sum(F, a0.add(a1));
        for (; i < n; i++) {
            sum += Float.float16ToFloat(src.get(SHORT_LE, offset + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Float.float16ToFloat(src.get(SHORT_LE, offset + 2L * i)) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** Round to nearest even, as ggml's fp32-to-fp16 conversion. */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        for (int i = 0; i < n; i++) {
            dst.set(SHORT_LE, offset + 2L * i, Float.floatToFloat16(src[srcOffset + i]));
        }
    }
}

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
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Brain floats: the top 16 bits of an IEEE float, 2 bytes a weight little-endian, no blocks. */
public final class BF16 implements TypeKernel {

    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.intBitsToFloat(src.get(SHORT_LE, offset + 2L * i) << 16);
        }
    }

    /** The sign extension of the widening falls off the top with the shift. */
    private static FloatVector widen(MemorySegment src, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, src, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
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
            sum += Float.intBitsToFloat(src.get(SHORT_LE, offset + 2L * i) << 16) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Float.intBitsToFloat(src.get(SHORT_LE, offset + 2L * i) << 16) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        for (int i = 0; i < n; i++) {
            dst.set(SHORT_LE, offset + 2L * i, toBf16(src[srcOffset + i]));
        }
    }

    /** Round to nearest even; a NaN keeps its top bits and is made quiet (ggml's fp32-to-bf16). */
    private static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 64);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}

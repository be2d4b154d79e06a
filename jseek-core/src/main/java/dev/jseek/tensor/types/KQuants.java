package dev.jseek.tensor.types;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the 256-weight super-block kernels (Q2_K..Q6_K, IQ4_XS) share: reading scales from the
 * block, and the vector shapes their dot products decode quants with.
 */
final class KQuants {

    /** Weights per super-block. */
    static final int QK = 256;

    /**
     * Float lanes of the dot products. The smallest run of weights sharing one scale is 16, so a
     * vector wider than 16 floats could not be filled from one sub-block: cap it at 512 bits.
     */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() <= 16
            ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_512;
    static final int LANES = F.length();

    /** Quants are decoded 16 bytes at a time and widened to floats in {@code PARTS} vectors of {@code LANES}. */
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final int PARTS = 16 / LANES;

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KQuants() {
    }

    /** The fp16 at {@code off}, exactly as a float. */
    static float half(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(HALF, off));
    }

    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static int u16(MemorySegment s, long off) {
        return s.get(HALF, off) & 0xFFFF;
    }

    static int i32(MemorySegment s, long off) {
        return s.get(INT, off);
    }

    static long i64(MemorySegment s, long off) {
        return s.get(LONG, off);
    }

    static ByteVector bytes16(MemorySegment s, long off) {
        return ByteVector.fromMemorySegment(B16, s, off, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * {@code acc} plus the dot product of 16 weights {@code q[i]*d + m} (q: small signed integers)
     * with {@code x[xi..xi+15]}. Each kernel calls this from one place only: the widening is
     * large in the JIT's intermediate form, and a second copy can push a kernel past C2's
     * inlining budget, which leaves vector operations boxed on the heap.
     */
    static FloatVector dot16(ByteVector q, FloatVector d, FloatVector m, float[] x, int xi, FloatVector acc) {
        for (int p = 0; p < PARTS; p++) {
            FloatVector w = ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).fma(d, m);
            acc = w.fma(FloatVector.fromArray(F, x, xi + p * LANES), acc);
        }
        return acc;
    }

    /**
     * Each byte shifted right by {@code bits}. x86 has no byte shifts, so this shifts 16-bit lanes;
     * the bits it pulls in from the neighbouring byte must be masked off by the caller.
     */
    static ByteVector shr(ByteVector q, int bits) {
        return q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, bits).reinterpretAsBytes();
    }

    /** Each byte shifted left by {@code bits}; as with {@link #shr}, the caller masks the result. */
    static ByteVector shl(ByteVector q, int bits) {
        return q.reinterpretAsShorts().lanewise(VectorOperators.LSHL, bits).reinterpretAsBytes();
    }

    /**
     * Q4_K / Q5_K: the eight 6-bit scales packed into the 12 bytes at {@code off}, unpacked to
     * one byte each (sub-block j in bits 8j..8j+7). Bytes 0-3 hold scales 0-3 in their low 6
     * bits; scales 4-7 take their low 4 bits from bytes 8-11 and their top 2 from bytes 0-3.
     */
    static long scalesK4(MemorySegment s, long off) {
        int a = i32(s, off);
        int c = i32(s, off + 8);
        return (a & 0x3F3F3F3FL) | (long) ((c & 0x0F0F0F0F) | (a >>> 6 & 0x03030303) << 4) << 32;
    }

    /** Q4_K / Q5_K: the eight 6-bit mins, packed like the scales but from bytes 4-7 and the high nibbles of 8-11. */
    static long minsK4(MemorySegment s, long off) {
        int b = i32(s, off + 4);
        int c = i32(s, off + 8);
        return (b & 0x3F3F3F3FL) | (long) ((c >>> 4 & 0x0F0F0F0F) | (b >>> 6 & 0x03030303) << 4) << 32;
    }

    /** Unsigned byte {@code j} of {@code packed}. */
    static int byteOf(long packed, int j) {
        return (int) (packed >>> 8 * j) & 0xFF;
    }
}

package dev.jseek.tensor.types;

import dev.jseek.tensor.Q8Activations;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shapes shared by the integer dot products of quantized weights with 8-bit activations
 * ({@link dev.jseek.tensor.Q8Activations}). The Vector API has no 8-bit multiply-add, so weights
 * and activations meet in 16-bit lanes: a 4- or 6-bit weight times an 8-bit activation, summed
 * over a few vectors, stays inside a short. Adjacent lanes are then summed into ints and scaled
 * once per block or sub-block, where the float path needs a convert and a fused multiply-add for
 * every 8 weights: Q4_0 and Q4_K +55-65% over their float kernels on AVX2, Q6_K +30%, Q8_0
 * +10% (BENCHMARKS.md).
 *
 * <p>Q4_K and Q6_K write these shapes out instead of calling the helpers below: past C2's
 * inlining budget for a method, a helper stays a call on boxed vectors, while the Vector API's own
 * methods (annotated to be inlined) are always inlined. Q4_0 and Q8_0 are small enough to call them.
 */
final class Int8Simd {

    private Int8Simd() {
    }

    /** 16-bit lanes, 128 or 256 bits: 16 weights (one sub-block of the K-quants) fill whole vectors. */
    static final VectorSpecies<Short> S = Q8Activations.SHORTS;
    /** Short lanes per vector (8 or 16). */
    static final int SL = S.length();
    /** The weight bytes that widen into one short vector. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    /** Int and float vectors of the same shape as {@link #S}: half as many lanes. */
    static final VectorSpecies<Integer> I = S.withLanes(int.class);
    static final VectorSpecies<Float> F = S.withLanes(float.class);
    /** Float lanes per vector (4 or 8). */
    static final int FL = F.length();
    /**
     * With 512-bit vectors ({@link Q8Activations#WIDE}) Q4_0 and Q8_0 take two blocks of 32 at a
     * time: 32 short lanes, then 16 sums, the first block's 8 and the second's.
     */
    static final VectorSpecies<Short> PAIR_SHORTS = ShortVector.SPECIES_512;
    static final VectorSpecies<Float> PAIR_FLOATS = FloatVector.SPECIES_512;
    static final VectorMask<Float> SECOND_BLOCK_SUMS = VectorMask.fromLong(PAIR_FLOATS, 0xFF00L);
    /**
     * 8 in each of 32 short lanes: the count that shifts a short lane's high byte down, as a
     * vector. Given as a constant, C2 moved the count into a vector register before each 512-bit
     * short shift, two instructions more per shift; as a vector it is one {@code vpsrlvw}
     * (Q4_K's two-row loop: 190 instructions a block against 205).
     */
    static final ShortVector HIGH_BYTE_SHIFT = ShortVector.broadcast(PAIR_SHORTS, (short) 8);

    /** {@link #SL} weight bytes at {@code offset}, each zero-extended to a short lane. */
    static ShortVector bytes(MemorySegment src, long offset) {
        return (ShortVector) ByteVector.fromMemorySegment(B, src, offset, Simd.LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
    }

    /**
     * The sum of the {@link #FL} floats a kernel stored at {@code lanes[from..)}: adjacent lanes
     * in pairs, then adjacent pairs, the order {@link #sumRows} takes sixteen rows at a time.
     * The kernels store their accumulator here rather than call {@link dev.jseek.tensor.FloatOps#sum}:
     * at the end of a large kernel C2 has spent its inlining budget, and that call, compiled on
     * its own, cannot tell the vector's shape and runs on boxed vectors (8% of Q4_K_M decode).
     */
    static float laneSum(float[] lanes, int from) {
        float pairs = (lanes[from] + lanes[from + 1]) + (lanes[from + 2] + lanes[from + 3]);
        return FL == 4 ? pairs : pairs + ((lanes[from + 4] + lanes[from + 5]) + (lanes[from + 6] + lanes[from + 7]));
    }

    /**
     * {@code out[at + k]} for the {@code count} rows whose lanes a kernel stored at
     * {@code scratch[TypeKernel.LANES_AT + k * FL..)} (see {@link TypeKernel#dotRows}). A full
     * batch of eight-lane rows adds up in 512-bit vectors: each step sums the adjacent lanes of
     * two vectors (row by row, in row order), so sixteen rows take 21 vector operations instead
     * of 112 scalar additions.
     */
    static void sumRows(float[] scratch, float[] out, int at, int count) {
        if (Q8Activations.WIDE && FL == 8 && count == 16) {
            int from = TypeKernel.LANES_AT;
            FloatVector p0 = pairSums(scratch, from, from + 16);
            FloatVector p1 = pairSums(scratch, from + 32, from + 48);
            FloatVector p2 = pairSums(scratch, from + 64, from + 80);
            FloatVector p3 = pairSums(scratch, from + 96, from + 112);
            FloatVector q0 = p0.rearrange(EVEN_LANES, p1).add(p0.rearrange(ODD_LANES, p1));
            FloatVector q1 = p2.rearrange(EVEN_LANES, p3).add(p2.rearrange(ODD_LANES, p3));
            q0.rearrange(EVEN_LANES, q1).add(q0.rearrange(ODD_LANES, q1)).intoArray(out, at);
            return;
        }
        for (int k = 0; k < count; k++) {
            out[at + k] = laneSum(scratch, TypeKernel.LANES_AT + k * FL);
        }
    }

    /** Pairs of rows {@link #sumRowPairs} adds up at a time: a full batch of rows. */
    static final int PAIR_BATCH = TypeKernel.ROW_BATCH / 2;

    /**
     * {@link #sumRows} for a two-row kernel's pairs: pair k's lanes at
     * {@code scratch[TypeKernel.LANES_AT + 2k * FL..)} belong to row {@code firstAt + k}, the
     * {@link #FL} after to row {@code secondAt + k}. The sums pass through {@code scratch[0..2 * pairs)},
     * which no kernel needs between rows.
     */
    static void sumRowPairs(float[] scratch, float[] out, int firstAt, int secondAt, int pairs) {
        sumRows(scratch, scratch, 0, 2 * pairs);
        for (int k = 0; k < pairs; k++) {
            out[firstAt + k] = scratch[2 * k];
            out[secondAt + k] = scratch[2 * k + 1];
        }
    }

    /** Lanes 0, 2, .., 30 (and 1, 3, .., 31) of two 16-lane vectors side by side; a negative index takes from the second. */
    private static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(PAIR_FLOATS, i -> 2 * i < 16 ? 2 * i : 2 * i - 32);
    private static final VectorShuffle<Float> ODD_LANES = VectorShuffle.fromOp(PAIR_FLOATS, i -> 2 * i + 1 < 16 ? 2 * i + 1 : 2 * i + 1 - 32);

    /** The sums of adjacent lanes of the 16 floats at {@code a} and the 16 at {@code b}, in order. */
    private static FloatVector pairSums(float[] scratch, int a, int b) {
        FloatVector x = FloatVector.fromArray(PAIR_FLOATS, scratch, a);
        FloatVector y = FloatVector.fromArray(PAIR_FLOATS, scratch, b);
        return x.rearrange(EVEN_LANES, y).add(x.rearrange(ODD_LANES, y));
    }

    /** {@link #SL} signed weight bytes at {@code offset}, each sign-extended to a short lane. */
    static ShortVector signedBytes(MemorySegment src, long offset) {
        return (ShortVector) ByteVector.fromMemorySegment(B, src, offset, Simd.LE)
                .convertShape(VectorOperators.B2S, S, 0);
    }

    /**
     * Lane k: the sum of short lanes 2k and 2k+1. Each int lane holds the pair as
     * high * 2^16 + low; adding the lane shifted left by 16 puts high + low in the top half (the
     * low half adds no carry), and an arithmetic shift brings it down. Exact while the pair sum
     * fits a short, which the kernels' bounds guarantee.
     */
    static IntVector pairInts(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.add(v.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
    }

    /**
     * Lane k: the sum of short lanes 2k and 2k+1, exact for any shorts (four operations where
     * {@link #pairInts} takes three).
     */
    static IntVector exactPairInts(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
    }

    /**
     * A block pair's scales in {@link #PAIR_FLOATS}: {@code d0} in the first block's 8 lanes,
     * {@code d1} in the second's (also Q4_K's d for its scales' lanes and dmin for its mins').
     */
    static FloatVector pairScales(float d0, float d1) {
        return FloatVector.broadcast(PAIR_FLOATS, d0).blend(d1, SECOND_BLOCK_SUMS);
    }

    /** The 16 lanes a block pair loop accumulated, added into {@link #F}'s 8, which the kernels store. */
    static FloatVector pairLanesFolded(FloatVector pairAcc) {
        return ((FloatVector) pairAcc.reinterpretShape(F, 0)).add((FloatVector) pairAcc.reinterpretShape(F, 1));
    }

    /** {@link #pairInts} as floats. */
    static FloatVector pairSums(ShortVector p) {
        return (FloatVector) pairInts(p).convert(VectorOperators.I2F, 0);
    }
}

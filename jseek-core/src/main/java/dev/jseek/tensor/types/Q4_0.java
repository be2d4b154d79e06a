package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.Simd.B16;
import static dev.jseek.tensor.types.Simd.F;
import static dev.jseek.tensor.types.Simd.L;
import static dev.jseek.tensor.types.Simd.LE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.Q8Activations;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocks of 32 weights in 18 bytes: fp16 scale d, then 16 bytes whose low nibbles are weights
 * 0-15 and high nibbles weights 16-31; weight = (nibble - 8) * d.
 */
public final class Q4_0 extends RowLanesKernel {

    private static final int BLOCK = 32;
    private static final int BYTES = 18;
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** Two blocks at a time with 512-bit vectors ({@link Q8Activations#WIDE}): 32 bytes into {@link Int8Simd#PAIR_SHORTS}. */
    private static final VectorSpecies<Byte> PAIR_BYTES = ByteVector.SPECIES_256;
    private static final VectorMask<Byte> SECOND_BLOCK_BYTES = VectorMask.fromLong(PAIR_BYTES, 0xFFFF0000L);
    /**
     * Four blocks (72 bytes) at a time with 512-bit vectors: two 64-byte loads, at the first
     * block and 8 bytes further, index their 16-bit words 0-31 and 32-63. Short lane 8k + l takes
     * block k's quant bytes 2l and 2l+1: word 9k + 1 + l of the first load, or for the fourth
     * block, which ends past it, word 9k + 1 + l - 4 of the second.
     */
    private static final short[] QUANT_WORDS = new short[32];
    /** Int lane j takes block j / 4's fp16 scale, word 9 * (j / 4) of the first load, into both halves. */
    private static final short[] SCALE_WORDS = new short[32];

    static {
        for (int k = 0; k < 4; k++) {
            for (int l = 0; l < 8; l++) {
                QUANT_WORDS[8 * k + l] = (short) (k < 3 ? 9 * k + 1 + l : 32 + 9 * k + 1 + l - 4);
                SCALE_WORDS[8 * k + l] = (short) (9 * k);
            }
        }
    }

    /** After a shift right by 3 of an int lane holding a half in its top 16 bits: the half's sign, exponent and mantissa in a float's places. */
    private static final int HALF_IN_FLOAT_BITS = 0x8FFF_E000;

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            int o = dstOffset + i;
            for (int j = 0; j < 16; j++) {
                int q = src.get(JAVA_BYTE, offset + 2 + j);
                dst[o + j] = ((q & 0xF) - 8) * d;
                dst[o + j + 16] = (((q >> 4) & 0xF) - 8) * d;
            }
        }
    }

    /**
     * Bytes widen to int lanes first and the nibbles are split there: x86 has no byte shift, so
     * splitting them in byte lanes costs more than the wider int lanes (+26% measured in
     * isolation on AVX2).
     */
    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        FloatVector total = FloatVector.zero(F);
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int xi = xOffset + i;
            ByteVector q = ByteVector.fromMemorySegment(B16, src, offset + 2, LE);
            FloatVector acc = FloatVector.zero(F);
            for (int p = 0; p < Simd.PARTS; p++) {
                IntVector v = (IntVector) q.convertShape(VectorOperators.B2I, I, p);
                FloatVector lo = (FloatVector) v.and(0xF).sub(8).convert(VectorOperators.I2F, 0);
                FloatVector hi = (FloatVector) v.lanewise(VectorOperators.LSHR, 4).and(0xF).sub(8).convert(VectorOperators.I2F, 0);
                acc = lo.fma(FloatVector.fromArray(F, x, xi + p * L), acc);
                acc = hi.fma(FloatVector.fromArray(F, x, xi + 16 + p * L), acc);
            }
            total = acc.fma(FloatVector.broadcast(F, Simd.fp16(src, offset)), total);
        }
        total.intoArray(scratch, 0);
        return FloatOps.sumLanes(scratch, F.length());
    }

    @Override
    long rowSize(int n) {
        return (long) n / BLOCK * BYTES;
    }

    /**
     * Nibbles less 8 times the 8-bit activations in 16-bit lanes, one float multiply-add per
     * block. One induction variable, so C2 drops the array bounds checks and unrolls. With
     * 128-bit vectors the bytes are not widened: a block's 16 bytes load as 8 short lanes, their
     * four nibbles are masked in place and meet activations regrouped for them, which also take
     * off the offset of 8 ({@link Q8Activations#nibbleOrder}). With 256-bit vectors the bytes
     * widen to 16 short lanes and meet activations folded so that no mask is needed
     * ({@link Q8Activations#byteFolded}: one vector operation fewer, 1.00-1.05x). With 512-bit
     * vectors four blocks at a time: their quant bytes gathered from two loads into 32 short
     * lanes, two bytes to a lane and no widening, their nibbles masked in place and met by
     * activations ordered for them ({@link Q8Activations#quadOrder}, with the offset of 8 taken
     * off through the blocks' sums), their fp16 scales moved into float lanes from the same load
     * (1.5B decode with 2 threads 1.07x, one token's products 1.05-1.27x, BENCHMARKS.md). Two or
     * three blocks left: two at a time, widened to short lanes, their scales a blend of two
     * broadcasts; a last block takes the 256-bit loop.
     */
    @Override
    void rowLanes(long row, Q8Activations x, int n, float[] lanes, int lanesAt) {
        MemorySegment memory = Simd.MEMORY;
        float[] xd = x.scales();
        FloatVector acc = FloatVector.zero(Int8Simd.F);
        if (Q8Activations.NIBBLE_ORDER) {
            short[] grouped = x.nibbleOrder();
            short[] offsets = x.nibbleOffsets();
            for (int b = 0; b < n / BLOCK; b++) {
                long at = row + (long) b * BYTES;
                int xi = b * BLOCK;
                float d = Simd.fp16Table(memory, at) * xd[b];
                ShortVector q = ShortVector.fromMemorySegment(Int8Simd.S, memory, at + 2, Simd.LE);
                // Four products within +-1905 and the offset part within +-4064: a pair of lanes fits a short.
                ShortVector products = q.and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, grouped, xi))
                        .add(q.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, grouped, xi + 8)))
                        .add(q.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, grouped, xi + 16)))
                        .add(q.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(Int8Simd.S, grouped, xi + 24)))
                        .add(ShortVector.fromArray(Int8Simd.S, offsets, b * 8));
                acc = Int8Simd.pairSums(products).fma(FloatVector.broadcast(Int8Simd.F, d), acc);
            }
        } else {
            short[] folded = x.byteFolded();
            int b = 0;
            if (Q8Activations.WIDE) {
                FloatVector pairAcc = FloatVector.zero(Int8Simd.PAIR_FLOATS);
                short[] quadOrder = x.quadOrder();
                short[] quadOffsets = x.quadOffsets();
                float[] quadScales = x.quadScales();
                ShortVector quantWords = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, QUANT_WORDS, 0);
                ShortVector scaleWords = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, SCALE_WORDS, 0);
                int quads = n / (4 * BLOCK);
                long quadEnd = row + (long) quads * (4 * BYTES);
                int xq = 0;
                for (long at = row; at < quadEnd; at += 4 * BYTES, xq += 4 * BLOCK) {
                    ShortVector first = ShortVector.fromMemorySegment(Int8Simd.PAIR_SHORTS, memory, at, Simd.LE);
                    ShortVector second = ShortVector.fromMemorySegment(Int8Simd.PAIR_SHORTS, memory, at + 8, Simd.LE);
                    IntVector quants = quantWords.selectFrom(first, second).reinterpretAsInts();
                    // Low nibbles: weights 2l and 2l+1 in a lane's two bytes; high nibbles: 2l+16 and 2l+17. The
                    // whole lane meets the even weight's value, its high byte the odd one's less 256 times the even
                    // (Q8Activations.quadOrder). Four products within +-1905 and the offset part within +-4064:
                    // the lane's exact sum and a pair of lanes' fit a short.
                    ShortVector low = quants.and(0x0F0F0F0F).reinterpretAsShorts();
                    ShortVector high = quants.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).reinterpretAsShorts();
                    ShortVector products = low.mul(ShortVector.fromArray(Int8Simd.PAIR_SHORTS, quadOrder, xq))
                            .add(low.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(Int8Simd.PAIR_SHORTS, quadOrder, xq + 32)))
                            .add(high.mul(ShortVector.fromArray(Int8Simd.PAIR_SHORTS, quadOrder, xq + 64)))
                            .add(high.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(Int8Simd.PAIR_SHORTS, quadOrder, xq + 96)))
                            .add(ShortVector.fromArray(Int8Simd.PAIR_SHORTS, quadOffsets, xq >> 2));
                    FloatVector halves = ((IntVector) scaleWords.selectFrom(first).reinterpretAsInts()
                            .lanewise(VectorOperators.ASHR, 3).and(HALF_IN_FLOAT_BITS)).reinterpretAsFloats();
                    pairAcc = Int8Simd.pairSums(products).fma(halves.mul(FloatVector.fromArray(Int8Simd.PAIR_FLOATS, quadScales, xq >> 3)), pairAcc);
                }
                int pairs = n / (2 * BLOCK);
                long end = row + (long) pairs * (2 * BYTES);
                int xi = 4 * BLOCK * quads;
                int xb = 4 * quads;
                // The address itself counts: with the pair index counting instead, C2 recomputed the address
                // and checked it three times per turn (0.96x in the kernel harness).
                for (long at = quadEnd; at < end; at += 2 * BYTES, xi += 2 * BLOCK, xb += 2) {
                    float d0 = Simd.fp16Table(memory, at) * xd[xb];
                    float d1 = Simd.fp16Table(memory, at + BYTES) * xd[xb + 1];
                    // The first block's 16 bytes from a load 2 bytes in, the second's from a load 2 bytes further.
                    ByteVector bytes = ByteVector.fromMemorySegment(PAIR_BYTES, memory, at + 2, Simd.LE)
                            .blend(ByteVector.fromMemorySegment(PAIR_BYTES, memory, at + 4, Simd.LE), SECOND_BLOCK_BYTES);
                    ShortVector q = (ShortVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2S, Int8Simd.PAIR_SHORTS, 0);
                    ShortVector products = q.sub((short) 136).mul(ShortVector.fromArray(Int8Simd.PAIR_SHORTS, folded, xi))
                            .add(q.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(ShortVector.fromArray(Int8Simd.PAIR_SHORTS, folded, xi + 32)));
                    pairAcc = Int8Simd.pairSums(products).fma(Int8Simd.pairScales(d0, d1), pairAcc);
                }
                b = 2 * pairs;
                acc = Int8Simd.pairLanesFolded(pairAcc);
            }
            for (; b < n / BLOCK; b++) {
                long at = row + (long) b * BYTES;
                int xi = b * BLOCK;
                float d = Simd.fp16Table(memory, at) * xd[b];
                // 16 short lanes: the whole block. Each product within +-17272; their sum may wrap, but the
                // exact result, (low - 8) * x[j] + (high - 8) * x[j + 16], is within +-2032.
                ShortVector q = Int8Simd.bytes(memory, at + 2);
                ShortVector products = q.sub((short) 136).mul(ShortVector.fromArray(Int8Simd.S, folded, xi))
                        .add(q.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(ShortVector.fromArray(Int8Simd.S, folded, xi + 16)));
                acc = Int8Simd.pairSums(products).fma(FloatVector.broadcast(Int8Simd.F, d), acc);
            }
        }
        acc.intoArray(lanes, lanesAt);
    }

    @Override
    public int int8Reads() {
        return Q8Activations.Q4_0_ORDER;
    }

    @Override
    boolean hasTwoRowLanes(int n) {
        return Q8Activations.WIDE && n % (4 * BLOCK) == 0;
    }

    /**
     * Two rows' four-block loop of {@link #rowLanes} (rows of whole fours of blocks, 512 bits),
     * each loaded activation vector serving both: the same operations in the same order per row,
     * so each row's lanes equal its own {@code rowLanes}. {@link Int8Simd#pairSums} and
     * {@link Int8Simd#pairLanesFolded} are written out: this method passes C2's inlining budget,
     * past which a helper would run on boxed vectors.
     */
    @Override
    void twoRowLanes(long row, long distance, Q8Activations x, int n, float[] lanes, int lanesAt) {
        MemorySegment memory = Simd.MEMORY;
        short[] quadOrder = x.quadOrder();
        short[] quadOffsets = x.quadOffsets();
        float[] quadScales = x.quadScales();
        ShortVector quantWords = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, QUANT_WORDS, 0);
        ShortVector scaleWords = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, SCALE_WORDS, 0);
        FloatVector accA = FloatVector.zero(Int8Simd.PAIR_FLOATS);
        FloatVector accB = FloatVector.zero(Int8Simd.PAIR_FLOATS);
        long quadEnd = row + (long) (n / (4 * BLOCK)) * (4 * BYTES);
        int xq = 0;
        for (long at = row; at < quadEnd; at += 4 * BYTES, xq += 4 * BLOCK) {
            ShortVector values0 = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, quadOrder, xq);
            ShortVector values1 = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, quadOrder, xq + 32);
            ShortVector values2 = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, quadOrder, xq + 64);
            ShortVector values3 = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, quadOrder, xq + 96);
            ShortVector offsets = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, quadOffsets, xq >> 2);
            FloatVector scales = FloatVector.fromArray(Int8Simd.PAIR_FLOATS, quadScales, xq >> 3);

            ShortVector firstA = ShortVector.fromMemorySegment(Int8Simd.PAIR_SHORTS, memory, at, Simd.LE);
            ShortVector secondA = ShortVector.fromMemorySegment(Int8Simd.PAIR_SHORTS, memory, at + 8, Simd.LE);
            IntVector quantsA = quantWords.selectFrom(firstA, secondA).reinterpretAsInts();
            ShortVector lowA = quantsA.and(0x0F0F0F0F).reinterpretAsShorts();
            ShortVector highA = quantsA.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).reinterpretAsShorts();
            IntVector productsA = lowA.mul(values0).add(lowA.lanewise(VectorOperators.LSHR, 8).mul(values1))
                    .add(highA.mul(values2)).add(highA.lanewise(VectorOperators.LSHR, 8).mul(values3))
                    .add(offsets).reinterpretAsInts();
            FloatVector halvesA = ((IntVector) scaleWords.selectFrom(firstA).reinterpretAsInts()
                    .lanewise(VectorOperators.ASHR, 3).and(HALF_IN_FLOAT_BITS)).reinterpretAsFloats();
            accA = ((FloatVector) productsA.add(productsA.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(halvesA.mul(scales), accA);

            long bt = at + distance;
            ShortVector firstB = ShortVector.fromMemorySegment(Int8Simd.PAIR_SHORTS, memory, bt, Simd.LE);
            ShortVector secondB = ShortVector.fromMemorySegment(Int8Simd.PAIR_SHORTS, memory, bt + 8, Simd.LE);
            IntVector quantsB = quantWords.selectFrom(firstB, secondB).reinterpretAsInts();
            ShortVector lowB = quantsB.and(0x0F0F0F0F).reinterpretAsShorts();
            ShortVector highB = quantsB.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).reinterpretAsShorts();
            IntVector productsB = lowB.mul(values0).add(lowB.lanewise(VectorOperators.LSHR, 8).mul(values1))
                    .add(highB.mul(values2)).add(highB.lanewise(VectorOperators.LSHR, 8).mul(values3))
                    .add(offsets).reinterpretAsInts();
            FloatVector halvesB = ((IntVector) scaleWords.selectFrom(firstB).reinterpretAsInts()
                    .lanewise(VectorOperators.ASHR, 3).and(HALF_IN_FLOAT_BITS)).reinterpretAsFloats();
            accB = ((FloatVector) productsB.add(productsB.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(halvesB.mul(scales), accB);
        }
        ((FloatVector) accA.reinterpretShape(Int8Simd.F, 0)).add((FloatVector) accA.reinterpretShape(Int8Simd.F, 1))
                .intoArray(lanes, lanesAt);
        ((FloatVector) accB.reinterpretShape(Int8Simd.F, 0)).add((FloatVector) accB.reinterpretShape(Int8Simd.F, 1))
                .intoArray(lanes, lanesAt + Int8Simd.FL);
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            int o = xOffset + i;
            for (int j = 0; j < 16; j++) {
                int q = src.get(JAVA_BYTE, offset + 2 + j);
                sum += ((q & 0xF) - 8) * d * x[o + j];
                sum += (((q >> 4) & 0xF) - 8) * d * x[o + j + 16];
            }
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /**
     * ggml's reference: d = (the value of largest magnitude) / -8, so that value maps to
     * nibble 0; nibble = min(15, trunc(x / d + 8.5)).
     */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int s = srcOffset + i;
            float d = FloatOps.signedExtreme(src, s, BLOCK) / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Simd.putFp16(dst, offset, d);
            for (int j = 0; j < 16; j++) {
                // The float-to-int cast truncates toward zero, as C's (int8_t) cast does.
                int q0 = Math.min(15, (int) (src[s + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (src[s + j + 16] * id + 8.5f));
                dst.set(JAVA_BYTE, offset + 2 + j, (byte) (q0 | q1 << 4));
            }
        }
    }
}

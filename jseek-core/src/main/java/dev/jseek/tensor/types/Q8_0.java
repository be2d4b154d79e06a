package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.Simd.B16;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static dev.jseek.tensor.types.Simd.F;
import static dev.jseek.tensor.types.Simd.LE;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.Q8Activations;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocks of 32 weights in 34 bytes: fp16 scale d, then 32 signed bytes q; weight = q * d.
 */
public final class Q8_0 extends RowLanesKernel {

    private static final int BLOCK = 32;
    private static final int BYTES = 34;
    /** A block's 32 weight bytes, widened to {@link Int8Simd#PAIR_SHORTS}. */
    private static final VectorSpecies<Byte> PAIR_BYTES = ByteVector.SPECIES_256;
    /**
     * Lane indexes into two blocks' product vectors (0-31 the first's, 32-63 the second's): each
     * block's products 0-15 side by side, and its products 16-31 side by side.
     */
    private static final short[] FIRST_SIXTEENS = sixteens(0);
    private static final short[] LAST_SIXTEENS = sixteens(16);

    private static short[] sixteens(int from) {
        short[] lanes = new short[32];
        for (int i = 0; i < 16; i++) {
            lanes[i] = (short) (from + i);
            lanes[16 + i] = (short) (32 + from + i);
        }
        return lanes;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOffset + i + j] = src.get(JAVA_BYTE, offset + 2 + j) * d;
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        FloatVector total = FloatVector.zero(F);
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int xi = xOffset + i;
            FloatVector acc = Simd.dot16(ByteVector.fromMemorySegment(B16, src, offset + 2, LE), x, xi, FloatVector.zero(F));
            acc = Simd.dot16(ByteVector.fromMemorySegment(B16, src, offset + 18, LE), x, xi + 16, acc);
            total = acc.fma(FloatVector.broadcast(F, Simd.fp16(src, offset)), total);
        }
        total.intoArray(scratch, 0);
        return FloatOps.sumLanes(scratch, F.length());
    }

    @Override
    public int int8Reads() {
        return Q8Activations.VALUE_BYTES;
    }

    @Override
    long rowSize(int n) {
        return (long) n / BLOCK * BYTES;
    }

    /**
     * Weight bytes times the 8-bit activations in 16-bit lanes. Each product is within 128 * 127,
     * two within 32512: a block's products 0-15 and 16-31 are added as shorts, and each lane
     * pair of that is summed exactly into an int (four operations where summing each product
     * vector's pairs took seven: 1.10x in the kernel harness); one float multiply-add per block.
     * With 512-bit vectors two blocks at a time: each block's 32 products in one vector, then
     * their first and last 16 gathered from both into two vectors and added (1.10-1.16x from
     * memory, BENCHMARKS.md), the activations read as bytes and widened (rows of 8960 weights
     * 1.31x from memory, where the activations as shorts did not stay in the cache).
     */
    @Override
    void rowLanes(long row, Q8Activations x, int n, float[] lanes, int lanesAt) {
        MemorySegment memory = Simd.MEMORY;
        short[] v = x.values();
        byte[] vb = x.valueBytes();
        float[] xd = x.scales();
        FloatVector acc = FloatVector.zero(Int8Simd.F);
        int b = 0;
        if (Q8Activations.WIDE) {
            ShortVector firstSixteens = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, FIRST_SIXTEENS, 0);
            ShortVector lastSixteens = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, LAST_SIXTEENS, 0);
            FloatVector pairAcc = FloatVector.zero(Int8Simd.PAIR_FLOATS);
            int pairs = n / (2 * BLOCK);
            long end = row + (long) pairs * (2 * BYTES);
            int xi = 0;
            int xb = 0;
            for (long at = row; at < end; at += 2 * BYTES, xi += 2 * BLOCK, xb += 2) {
                float d0 = Simd.fp16Table(memory, at) * xd[xb];
                float d1 = Simd.fp16Table(memory, at + BYTES) * xd[xb + 1];
                ShortVector first = blockProducts(memory, at, vb, xi);
                ShortVector second = blockProducts(memory, at + BYTES, vb, xi + BLOCK);
                ShortVector halvesAdded = firstSixteens.selectFrom(first, second).add(lastSixteens.selectFrom(first, second));
                pairAcc = ((FloatVector) Int8Simd.exactPairInts(halvesAdded).convert(VectorOperators.I2F, 0))
                        .fma(Int8Simd.pairScales(d0, d1), pairAcc);
            }
            b = 2 * pairs;
            acc = Int8Simd.pairLanesFolded(pairAcc);
        }
        for (; b < n / BLOCK; b++) {
            long at = row + (long) b * BYTES;
            int xi = b * BLOCK;
            float d = Simd.fp16Table(memory, at) * xd[b];
            IntVector sums = IntVector.zero(Int8Simd.I);
            for (int p = 0; p < 16; p += Int8Simd.SL) {
                ShortVector halvesAdded = Int8Simd.signedBytes(memory, at + 2 + p).mul(ShortVector.fromArray(Int8Simd.S, v, xi + p))
                        .add(Int8Simd.signedBytes(memory, at + 18 + p).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 16 + p)));
                sums = sums.add(Int8Simd.exactPairInts(halvesAdded));
            }
            acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, d), acc);
        }
        acc.intoArray(lanes, lanesAt);
    }

    @Override
    boolean hasTwoRowLanes(int n) {
        return Q8Activations.WIDE && n % (2 * BLOCK) == 0;
    }

    /**
     * Two rows' block-pair loop of {@link #rowLanes} (rows of whole pairs of blocks, 512 bits),
     * each widened activation vector serving both: the same operations in the same order per
     * row, so each row's lanes equal its own {@code rowLanes}. The helpers are written out, as in
     * Q4_0's two-row loop, for C2's inlining budget.
     */
    @Override
    void twoRowLanes(long row, long distance, Q8Activations x, int n, float[] lanes, int lanesAt) {
        MemorySegment memory = Simd.MEMORY;
        byte[] vb = x.valueBytes();
        float[] xd = x.scales();
        ShortVector firstSixteens = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, FIRST_SIXTEENS, 0);
        ShortVector lastSixteens = ShortVector.fromArray(Int8Simd.PAIR_SHORTS, LAST_SIXTEENS, 0);
        FloatVector accA = FloatVector.zero(Int8Simd.PAIR_FLOATS);
        FloatVector accB = FloatVector.zero(Int8Simd.PAIR_FLOATS);
        long end = row + (long) (n / (2 * BLOCK)) * (2 * BYTES);
        int xi = 0;
        int xb = 0;
        for (long at = row; at < end; at += 2 * BYTES, xi += 2 * BLOCK, xb += 2) {
            ShortVector v0 = (ShortVector) ByteVector.fromArray(PAIR_BYTES, vb, xi).convertShape(VectorOperators.B2S, Int8Simd.PAIR_SHORTS, 0);
            ShortVector v1 = (ShortVector) ByteVector.fromArray(PAIR_BYTES, vb, xi + BLOCK).convertShape(VectorOperators.B2S, Int8Simd.PAIR_SHORTS, 0);
            float x0 = xd[xb];
            float x1 = xd[xb + 1];

            ShortVector first = ((ShortVector) ByteVector.fromMemorySegment(PAIR_BYTES, memory, at + 2, LE)
                    .convertShape(VectorOperators.B2S, Int8Simd.PAIR_SHORTS, 0)).mul(v0);
            ShortVector second = ((ShortVector) ByteVector.fromMemorySegment(PAIR_BYTES, memory, at + BYTES + 2, LE)
                    .convertShape(VectorOperators.B2S, Int8Simd.PAIR_SHORTS, 0)).mul(v1);
            IntVector halves = firstSixteens.selectFrom(first, second).add(lastSixteens.selectFrom(first, second)).reinterpretAsInts();
            accA = ((FloatVector) halves.lanewise(VectorOperators.ASHR, 16)
                    .add(halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(Int8Simd.PAIR_FLOATS, Simd.fp16Table(memory, at) * x0)
                            .blend(Simd.fp16Table(memory, at + BYTES) * x1, Int8Simd.SECOND_BLOCK_SUMS), accA);

            long bt = at + distance;
            first = ((ShortVector) ByteVector.fromMemorySegment(PAIR_BYTES, memory, bt + 2, LE)
                    .convertShape(VectorOperators.B2S, Int8Simd.PAIR_SHORTS, 0)).mul(v0);
            second = ((ShortVector) ByteVector.fromMemorySegment(PAIR_BYTES, memory, bt + BYTES + 2, LE)
                    .convertShape(VectorOperators.B2S, Int8Simd.PAIR_SHORTS, 0)).mul(v1);
            halves = firstSixteens.selectFrom(first, second).add(lastSixteens.selectFrom(first, second)).reinterpretAsInts();
            accB = ((FloatVector) halves.lanewise(VectorOperators.ASHR, 16)
                    .add(halves.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(Int8Simd.PAIR_FLOATS, Simd.fp16Table(memory, bt) * x0)
                            .blend(Simd.fp16Table(memory, bt + BYTES) * x1, Int8Simd.SECOND_BLOCK_SUMS), accB);
        }
        ((FloatVector) accA.reinterpretShape(Int8Simd.F, 0)).add((FloatVector) accA.reinterpretShape(Int8Simd.F, 1))
                .intoArray(lanes, lanesAt);
        ((FloatVector) accB.reinterpretShape(Int8Simd.F, 0)).add((FloatVector) accB.reinterpretShape(Int8Simd.F, 1))
                .intoArray(lanes, lanesAt + Int8Simd.FL);
    }

    /**
     * The block at {@code at}: its 32 weight bytes times values {@code xi..xi+32), both widened
     * from bytes ({@link Q8Activations#valueBytes}), in {@link Int8Simd#PAIR_SHORTS}.
     */
    private static ShortVector blockProducts(MemorySegment memory, long at, byte[] v, int xi) {
        return ((ShortVector) ByteVector.fromMemorySegment(PAIR_BYTES, memory, at + 2, LE).convertShape(VectorOperators.B2S, Int8Simd.PAIR_SHORTS, 0))
                .mul((ShortVector) ByteVector.fromArray(PAIR_BYTES, v, xi).convertShape(VectorOperators.B2S, Int8Simd.PAIR_SHORTS, 0));
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            for (int j = 0; j < BLOCK; j++) {
                sum += src.get(JAVA_BYTE, offset + 2 + j) * d * x[xOffset + i + j];
            }
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** ggml's reference: d = amax / 127, q = roundf(x / d). */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int s = srcOffset + i;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                float a = Math.abs(src[s + j]);
                if (a > amax) {
                    amax = a;
                }
            }
            float d = amax / 127;
            // ggml scales by the reciprocal of the unrounded d, not by the stored fp16 value.
            float id = d != 0 ? 1.0f / d : 0.0f;
            Simd.putFp16(dst, offset, d);
            for (int j = 0; j < BLOCK; j++) {
                dst.set(JAVA_BYTE, offset + 2 + j, (byte) Simd.roundf(src[s + j] * id));
            }
        }
    }
}

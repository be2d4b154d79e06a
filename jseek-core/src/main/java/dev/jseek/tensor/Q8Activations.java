package dev.jseek.tensor;

import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A vector of activations rounded to 8-bit integers in blocks, as llama.cpp's CPU backend rounds
 * them before multiplying with quantized weights: {@link Format#Q8_0} (blocks of 32, scale
 * amax/127 kept as fp16) for the 32-weight types, {@link Format#Q8_K} (blocks of 256, float scale)
 * for the K-quants. The integers are kept widened to 16 bits, the width the integer dot kernels
 * multiply in, with each block's scale and a copy in the order a kernel reads: for Q8_K the
 * K-quants' ({@link #paired}, with sums of the integers; with 512-bit vectors Q4_K's own too,
 * {@link #q4kOrder}), for Q8_0 Q4_0's ({@link #nibbleOrder}
 * with 128-bit vectors, {@link #byteFolded} with 256- and 512-bit ones, and at 512 bits
 * {@link #quadOrder} with its offsets and scales), and at 512 bits the integers as bytes too
 * ({@link #valueBytes}, for Q8_0's kernel). One instance per caller,
 * reused: the arrays grow when a longer vector arrives.
 */
public final class Q8Activations {

    public enum Format {
        /** Scale per 32 values. */
        Q8_0(32),
        /** Scale per 256 values. */
        Q8_K(256);

        public final int block;

        Format(int block) {
            this.block = block;
        }
    }

    /**
     * The 16-bit lanes the integer kernels multiply in: 128 or 256 bits, so that 16 weights (a
     * K-quant sub-block) fill whole vectors. With 512-bit vectors ({@link #WIDE}) Q4_0 and the
     * K-quants take two or more blocks or sub-blocks per vector instead.
     */
    public static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class,
            VectorShape.forBitSize(Math.clamp(ShortVector.SPECIES_PREFERRED.vectorBitSize(), 128, 256)));
    /**
     * Whether the integer kernels take 512-bit vectors (AVX-512): Q4_0 four blocks per vector
     * ({@link #quadOrder}), or two ({@link #byteFolded} in pairs of blocks), Q8_0 two, Q4_K two sub-blocks and Q6_K four ({@link #paired}
     * in runs of 64 with folded odd values, and Q4_K's own {@link #q4kOrder}).
     */
    public static final boolean WIDE = ShortVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    /**
     * 2^112: an fp16's sign, exponent and mantissa moved into a float's places (sign to bit 31,
     * exponent to the low bits of the float's, mantissa to its top) read 2^-112 times the half's
     * value, for normal and subnormal halves alike. Q8_0 scales are fp16, at most 65504, so
     * they times this stay finite.
     */
    public static final float HALF_BITS_TO_VALUE = 0x1p112f;
    /** The run {@link #paired()} reorders: as many values as the K-quant kernels' short vector holds bytes. */
    public static final int PAIR_RUN = WIDE ? 64 : 2 * SHORTS.length();
    /**
     * Whether Q8_0 activations come with {@link #nibbleOrder}: with 128-bit vectors, where Q4_0's
     * kernel reads its weights two bytes to a short lane (1.24x over widening them on x86 at 128
     * bits, 0.87x in 1.5B decode at 256 bits, where two blocks must share a vector: BENCHMARKS.md).
     */
    public static final boolean NIBBLE_ORDER = SHORTS.length() == 8;
    /** Rounding runs in the preferred float vectors, their lanes narrowed to shorts of the same count. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class,
            VectorShape.forBitSize(Math.max(128, FloatVector.SPECIES_PREFERRED.vectorBitSize())));
    private static final VectorSpecies<Short> SHORTS_OF_F = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

    /** {@link #nibbleOrder}, {@link #byteFolded} and {@link #quadOrder} with theirs: Q4_0's layouts at each width. */
    public static final int Q4_0_ORDER = 1;
    /** {@link #paired}. */
    public static final int PAIRED = 2;
    /** {@link #q4kOrder} and {@link #q4kMinSums} (512 bits only; the latter with {@link #RUN_SUMS}). */
    public static final int Q4K_ORDER = 4;
    /** {@link #sums16} and {@link #sums32}. */
    public static final int RUN_SUMS = 8;
    /** {@link #valueBytes} (512 bits only). */
    public static final int VALUE_BYTES = 16;
    /** Every layout of the format. */
    public static final int ALL = Q4_0_ORDER | PAIRED | Q4K_ORDER | RUN_SUMS | VALUE_BYTES;

    private short[] values = new short[0];
    private byte[] valueBytes = new byte[0];
    private short[] paired = new short[0];
    private short[] q4kOrder = new short[0];
    private short[] nibbleOrder = new short[0];
    private short[] nibbleOffsets = new short[0];
    private short[] byteFolded = new short[0];
    private float[] scales = new float[0];
    private short[] quadOrder = new short[0];
    private short[] quadOffsets = new short[0];
    private float[] quadScales = new float[0];
    private int[] sums16 = new int[0];
    private int[] sums32 = new int[0];
    private float[] q4kMinSums = new float[0];

    /**
     * Rounds {@code x[0..n)} ({@code n} a multiple of the format's block) into this holder, with
     * what the integer kernels read besides (for Q8_K: the sums and the pair-ordered copy).
     */
    public void quantize(Format format, float[] x, int n) {
        quantize(format, x, n, ALL);
    }

    /**
     * {@link #quantize(Format, float[], int)} laying out only the copies {@code reads} names
     * (see {@link dev.jseek.tensor.TypeKernel#int8Reads}): the rest keep what an earlier
     * rounding left: each product reads one or two of them, and laid out one value at a time
     * they cost up to twice the rounding itself (8960 values: 6.3 us for Q4_K's copy, 3.4 for the
     * rounding).
     */
    public void quantize(Format format, float[] x, int n, int reads) {
        round(format, x, n);
        if (WIDE && (reads & VALUE_BYTES) != 0) {
            narrowToBytes(n);
        }
        if (format == Format.Q8_K) {
            if ((reads & RUN_SUMS) != 0) {
                sumRuns(n);
            }
            if ((reads & PAIRED) != 0) {
                pair(n);
            }
            if (WIDE && (reads & Q4K_ORDER) != 0) {
                orderForQ4K(n);
            }
        } else if ((reads & Q4_0_ORDER) != 0) {
            if (NIBBLE_ORDER) {
                orderForNibbles(n);
            } else {
                foldForBytes(n);
                if (WIDE) {
                    orderForQuads(n);
                }
            }
        }
    }

    /** The rounding alone, for {@link #expand}: no kernel reads the sums or the paired copy then. */
    void round(Format format, float[] x, int n) {
        if (values.length < n) {
            values = new short[n];
            valueBytes = new byte[WIDE ? n : 0];
            paired = new short[n];
            q4kOrder = new short[WIDE ? n : 0];
            nibbleOrder = new short[NIBBLE_ORDER ? n : 0];
            nibbleOffsets = new short[NIBBLE_ORDER ? n / 4 : 0];
            byteFolded = new short[NIBBLE_ORDER ? 0 : n];
            scales = new float[n / 32];
            quadOrder = new short[WIDE ? n : 0];
            quadOffsets = new short[WIDE ? n / 4 : 0];
            quadScales = new float[WIDE ? n / 8 : 0];
            sums16 = new int[n / 16];
            sums32 = new int[n / 32];
            q4kMinSums = new float[WIDE ? n / 16 : 0];
        }
        for (int b = 0; b < n / format.block; b++) {
            int at = b * format.block;
            scales[b] = format == Format.Q8_0 ? q8_0(x, at) : q8_K(x, at);
        }
    }

    /**
     * Each run of {@link #PAIR_RUN} values reordered, the even positions first, then the odd:
     * a kernel that loads weight bytes as short lanes (two bytes per lane) multiplies the low
     * bytes' weights with the first half and the high bytes' with the second, with no widening.
     * With {@link #WIDE} the odd value less 256 times its even neighbour: the kernels multiply
     * the whole lane, low + 256 * high, by the even value and the high byte by this, so that the
     * 256 * high * even parts cancel (in 16-bit arithmetic, which wraps, but whose exact sum
     * fits) and the low byte needs no mask.
     */
    private void pair(int n) {
        if (WIDE) {
            for (int run = 0; run < n; run += PAIR_RUN) {
                evensThenFoldedOdds(run, run + 32, paired, run);
            }
            return;
        }
        int half = PAIR_RUN / 2;
        for (int run = 0; run < n; run += PAIR_RUN) {
            for (int i = 0; i < half; i++) {
                paired[run + i] = values[run + 2 * i];
                paired[run + half + i] = values[run + 2 * i + 1];
            }
        }
    }

    /**
     * With {@link #WIDE}: the even values of {@code values[a..a+32)} and then of
     * {@code values[b..b+32)} to {@code out[at..at+32)}, and their odd neighbours less 256 times
     * them to {@code out[at+32..at+64)} ({@link #pair}'s fold), by two two-vector shuffles
     * ({@code vpermt2w}). For 8960 values the paired copy took 3.1 us and Q4_K's 6.3 us one value
     * at a time, about 0.3 us so.
     */
    private void evensThenFoldedOdds(int a, int b, short[] out, int at) {
        ShortVector first = ShortVector.fromArray(ShortVector.SPECIES_512, values, a);
        ShortVector second = ShortVector.fromArray(ShortVector.SPECIES_512, values, b);
        ShortVector even = EVENS.selectFrom(first, second);
        even.intoArray(out, at);
        ODDS.selectFrom(first, second).sub(even.lanewise(VectorOperators.LSHL, 8)).intoArray(out, at + 32);
    }

    /** Lane i: 2i, the even places of two 32-lane vectors one after the other. */
    private static final ShortVector EVENS = WIDE ? everyOther(0) : null;
    /** Lane i: 2i + 1. */
    private static final ShortVector ODDS = WIDE ? everyOther(1) : null;

    private static ShortVector everyOther(int first) {
        short[] places = new short[32];
        for (int i = 0; i < 32; i++) {
            places[i] = (short) (2 * i + first);
        }
        return ShortVector.fromArray(ShortVector.SPECIES_512, places, 0);
    }

    /**
     * With {@link #WIDE}, Q4_K's kernel reads a half block's two 32-byte quant groups as one
     * vector of short lanes, two bytes to a lane: its low nibbles are sub-blocks 0 and 2 of the
     * half (values 0-31 and 64-95), its high nibbles sub-blocks 1 and 3 (32-63 and 96-127). Per
     * 128 values: the even values of 0-31 and of 64-95, then their odd values folded as in
     * {@link #pair}, then the same for 32-63 and 96-127.
     */
    private void orderForQ4K(int n) {
        for (int at = 0; at < n; at += 128) {
            evensThenFoldedOdds(at, at + 64, q4kOrder, at);
            evensThenFoldedOdds(at + 32, at + 96, q4kOrder, at + 64);
        }
        for (int s = 0; s < n / 32; s++) {
            q4kMinSums[16 * (s / 8) + 8 + s % 8] = -sums32[s];
        }
    }

    /**
     * Q4_0's kernel reads a block's 16 weight bytes as 8 short lanes: lane k holds the nibbles of
     * weights 2k, 2k+16, 2k+1 and 2k+17, low to high. Per block this writes four runs of 8, the
     * values those nibbles meet in that order, and to {@link #nibbleOffsets} a run of -8 times
     * the sum of the four: the weights' offset of 8, taken off in one addition.
     */
    private void orderForNibbles(int n) {
        for (int block = 0; block < n / 32; block++) {
            int at = block * 32;
            for (int k = 0; k < 8; k++) {
                short a = values[at + 2 * k];
                short b = values[at + 2 * k + 16];
                short c = values[at + 2 * k + 1];
                short d = values[at + 2 * k + 17];
                nibbleOrder[at + k] = a;
                nibbleOrder[at + 8 + k] = b;
                nibbleOrder[at + 16 + k] = c;
                nibbleOrder[at + 24 + k] = d;
                nibbleOffsets[block * 8 + k] = (short) (-8 * (a + b + c + d));
            }
        }
    }

    /**
     * With 256-bit vectors Q4_0's kernel widens a block's 16 weight bytes to short lanes, each
     * holding 16 * high + low nibble, and multiplies (byte - 136) by value j and (high - 8) by
     * value j + 16 less 16 times value j: the nibble offsets of 8 come out of the arithmetic, with
     * no mask to split the nibbles. Per block: values 0-15 (the low run), then value 16 + j - 16 *
     * value j (the high run). With {@link #WIDE} only the blocks after the last whole four
     * ({@link #orderForQuads}) are laid out, two sharing a vector: a pair holds both low runs,
     * then both high runs; a last block without a partner is laid out alone.
     */
    private void foldForBytes(int n) {
        int blocks = n / 32;
        int first = WIDE ? blocks / 4 * 4 : 0;
        int paired = WIDE ? blocks & ~1 : 0;
        for (int block = first; block < paired; block += 2) {
            int at = block * 32;
            for (int j = 0; j < 16; j++) {
                byteFolded[at + j] = values[at + j];
                byteFolded[at + 16 + j] = values[at + 32 + j];
                byteFolded[at + 32 + j] = (short) (values[at + 16 + j] - 16 * values[at + j]);
                byteFolded[at + 48 + j] = (short) (values[at + 48 + j] - 16 * values[at + 32 + j]);
            }
        }
        for (int block = paired; block < blocks; block++) {
            int at = block * 32;
            for (int j = 0; j < 16; j++) {
                byteFolded[at + j] = values[at + j];
                byteFolded[at + 16 + j] = (short) (values[at + 16 + j] - 16 * values[at + j]);
            }
        }
    }

    /**
     * With {@link #WIDE}, Q4_0's kernel reads four blocks' quant bytes as one vector of 32 short
     * lanes, block k in lanes 8k-8k+7, lane l holding bytes 2l and 2l+1 of the block: its low
     * nibbles are the block's weights 2l and 2l+1, its high nibbles weights 2l+16 and 2l+17. Per
     * 128 values (four blocks) four runs of 32, lane by lane: weight 2l's value, weight 2l+1's
     * folded as in {@link #pair}, then the same for 2l+16 and 2l+17. Besides, per four blocks,
     * {@link #quadOffsets} and {@link #quadScales}.
     */
    private void orderForQuads(int n) {
        var shorts = ShortVector.SPECIES_512;
        for (int at = 0; at + 128 <= n; at += 128) {
            // The even and the odd places of blocks 0 and 1, then of 2 and 3; of each, the places
            // from the blocks' first halves (weights 2l, 2l+1) and from their second (2l+16, 2l+17).
            ShortVector b0 = ShortVector.fromArray(shorts, values, at);
            ShortVector b1 = ShortVector.fromArray(shorts, values, at + 32);
            ShortVector b2 = ShortVector.fromArray(shorts, values, at + 64);
            ShortVector b3 = ShortVector.fromArray(shorts, values, at + 96);
            ShortVector evens01 = EVENS.selectFrom(b0, b1);
            ShortVector evens23 = EVENS.selectFrom(b2, b3);
            ShortVector odds01 = ODDS.selectFrom(b0, b1);
            ShortVector odds23 = ODDS.selectFrom(b2, b3);
            ShortVector low = FIRST_HALVES.selectFrom(evens01, evens23);
            ShortVector high = SECOND_HALVES.selectFrom(evens01, evens23);
            low.intoArray(quadOrder, at);
            FIRST_HALVES.selectFrom(odds01, odds23).sub(low.lanewise(VectorOperators.LSHL, 8)).intoArray(quadOrder, at + 32);
            high.intoArray(quadOrder, at + 64);
            SECOND_HALVES.selectFrom(odds01, odds23).sub(high.lanewise(VectorOperators.LSHL, 8)).intoArray(quadOrder, at + 96);
            for (int k = 0; k < 4; k++) {
                // At most 32 * 127 in magnitude: the short lanes hold the sum exactly.
                short sum = ShortVector.fromArray(shorts, values, at + 32 * k).reduceLanes(VectorOperators.ADD);
                Arrays.fill(quadOffsets, at / 4 + 8 * k, at / 4 + 8 * k + 8, (short) -sum);
                Arrays.fill(quadScales, at / 8 + 4 * k, at / 8 + 4 * k + 4, scales[at / 32 + k] * HALF_BITS_TO_VALUE);
            }
        }
    }

    /** Of two vectors of 32 lanes, each one's lanes 0-7 and 16-23: a block pair's first halves after {@link #EVENS}. */
    private static final ShortVector FIRST_HALVES = WIDE ? lanes(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) : null;
    /** Lanes 8-15 and 24-31 of each. */
    private static final ShortVector SECOND_HALVES = WIDE ? lanes(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31) : null;

    /** The given places of a first vector, then the same of a second. */
    private static ShortVector lanes(int... places) {
        short[] both = new short[32];
        for (int i = 0; i < 16; i++) {
            both[i] = (short) places[i];
            both[16 + i] = (short) (32 + places[i]);
        }
        return ShortVector.fromArray(ShortVector.SPECIES_512, both, 0);
    }

    /**
     * The K-quant kernels' sums (llama.cpp's bsums): per 16 for Q6_K, per 32 for Q4_K. A run of
     * 16 adds up in one 256-bit vector where there is one (at most 16 * 127 in magnitude, so the
     * short lanes hold it exactly): 1.3 against 2.5 us for 8960 values with 512-bit vectors.
     */
    private void sumRuns(int n) {
        for (int s = 0; s < n / 16; s++) {
            int sum = 0;
            if (SIXTEEN_SHORTS) {
                sum = ShortVector.fromArray(ShortVector.SPECIES_256, values, 16 * s).reduceLanes(VectorOperators.ADD);
            } else {
                for (int i = 16 * s; i < 16 * s + 16; i++) {
                    sum += values[i];
                }
            }
            sums16[s] = sum;
        }
        for (int s = 0; s < n / 32; s++) {
            sums32[s] = sums16[2 * s] + sums16[2 * s + 1];
        }
    }

    /** Whether a run of 16 shorts fits one vector of the machine. */
    private static final boolean SIXTEEN_SHORTS = ShortVector.SPECIES_PREFERRED.vectorBitSize() >= 256;

    /**
     * With {@link #WIDE}: {@link #values} as bytes, half the cache lines. Q8_0's kernel read rows
     * of 8960 weights from memory at 13.3 GB/s, and at 20.1 GB/s when made to cycle through only
     * the first 1024 activations (a test, 1 thread, BENCHMARKS.md): the fewer bytes of
     * activations beside the rows streaming in, the faster the rows come.
     */
    private void narrowToBytes(int n) {
        for (int i = 0; i < n; i += 32) {
            ShortVector.fromArray(ShortVector.SPECIES_512, values, i).convertShape(VectorOperators.S2B, ByteVector.SPECIES_256, 0)
                    .reinterpretAsBytes().intoArray(valueBytes, i);
        }
    }

    /** The rounded values as floats, value times its block's scale, into {@code out[0..n)}. */
    void expand(Format format, int n, float[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = values[i] * scales[i / format.block];
        }
    }

    /** The integers, -127..127. */
    public short[] values() {
        return values;
    }

    /** With {@link #WIDE} only: {@link #values()} as bytes. */
    public byte[] valueBytes() {
        return valueBytes;
    }

    /** Q8_K only: {@link #values()} with each run of {@link #PAIR_RUN} in even-then-odd order; with {@link #WIDE} each odd value less 256 times the even one before it. */
    public short[] paired() {
        return paired;
    }

    /** Q8_K with {@link #WIDE} only: the values in the order Q4_K's 512-bit kernel meets them ({@link #orderForQ4K}). */
    public short[] q4kOrder() {
        return q4kOrder;
    }

    /**
     * Q8_K with {@link #WIDE} only: per block 16 float lanes, zero in lanes 0-7 and minus the
     * sums of its eight runs of 32 in lanes 8-15. Q4_K's kernel holds a block's scales and mins
     * in lanes 0-7 and 8-15 of one vector: one multiply-add by these takes the mins' part off.
     */
    public float[] q4kMinSums() {
        return q4kMinSums;
    }

    /** Q8_0 with {@link #NIBBLE_ORDER} only: each block's values in the order Q4_0's kernel meets them ({@link #orderForNibbles}). */
    public short[] nibbleOrder() {
        return nibbleOrder;
    }

    /**
     * Q8_0 without {@link #NIBBLE_ORDER} only: each block's values as Q4_0's kernel multiplies
     * them ({@link #foldForBytes}); with {@link #WIDE} only the blocks after the last whole four.
     */
    public short[] byteFolded() {
        return byteFolded;
    }

    /** Q8_0 with {@link #WIDE} only: per four blocks, the values in the order Q4_0's kernel meets them ({@link #orderForQuads}). */
    public short[] quadOrder() {
        return quadOrder;
    }

    /**
     * Q8_0 with {@link #WIDE} only: per four blocks 32 short lanes, block k's 8 each minus the sum
     * of its values, so that a block's lanes add up to -8 times that sum: Q4_0's offset of 8.
     */
    public short[] quadOffsets() {
        return quadOffsets;
    }

    /**
     * Q8_0 with {@link #WIDE} only: per four blocks 16 lanes, block k's scale in lanes 4k-4k+3,
     * each times {@link #HALF_BITS_TO_VALUE}: Q4_0's kernel multiplies them with its weights' fp16
     * scales moved into float bits in vector lanes.
     */
    public float[] quadScales() {
        return quadScales;
    }

    /** Q8_0 with {@link #NIBBLE_ORDER} only: per block, 8 parts that take off Q4_0's offset of 8. */
    public short[] nibbleOffsets() {
        return nibbleOffsets;
    }

    /** One scale per block: a value is {@code values()[i] * scales()[i / block]}. */
    public float[] scales() {
        return scales;
    }

    /** Q8_K only: sums of the integers over runs of 16, Q6_K's sub-blocks, which take off its offset of 32 through them. */
    public int[] sums16() {
        return sums16;
    }

    /** Q8_K only: sums of the integers over runs of 32, Q4_K's sub-blocks, whose mins use them. */
    public int[] sums32() {
        return sums32;
    }

    /** ggml-cpu's quantize_row_q8_0 (x86): scale amax/127 stored as fp16, values x * 127/amax rounded half to even. */
    private float q8_0(float[] x, int at) {
        FloatVector amaxes = FloatVector.zero(F);
        for (int i = 0; i < 32; i += F.length()) {
            amaxes = amaxes.max(FloatVector.fromArray(F, x, at + i).abs());
        }
        float amax = amaxes.reduceLanes(VectorOperators.MAX);
        float id = amax != 0 ? 127f / amax : 0f;
        roundScaled(x, at, 32, id);
        return Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
    }

    /**
     * {@code values[at..at + n) = min(127, rint(x * scale))}, {@code n} a multiple of the float
     * vectors' length, rounded by {@link FloatOps#ROUND} (the values are at most 127 and a
     * rounding error).
     */
    private void roundScaled(float[] x, int at, int n, float scale) {
        for (int i = 0; i < n; i += F.length()) {
            IntVector rounded = (IntVector) FloatVector.fromArray(F, x, at + i).mul(scale).add(FloatOps.ROUND).sub(FloatOps.ROUND)
                    .convert(VectorOperators.F2I, 0);
            ((ShortVector) rounded.min(127).convertShape(VectorOperators.I2S, SHORTS_OF_F, 0)).intoArray(values, at + i);
        }
    }

    /** ggml's quantize_row_q8_K: scale -127/max of the signed extreme, values rounded half to even, at most 127. */
    private float q8_K(float[] x, int at) {
        float max = FloatOps.signedExtreme(x, at, 256);
        if (max == 0) {
            Arrays.fill(values, at, at + 256, (short) 0);
            return 0;
        }
        float iscale = -127f / max;
        roundScaled(x, at, 256, iscale);
        return 1 / iscale;
    }
}

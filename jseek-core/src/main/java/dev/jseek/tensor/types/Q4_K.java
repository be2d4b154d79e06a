package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.KQuants.QK;
import static dev.jseek.tensor.types.KQuants.byteOf;
import static dev.jseek.tensor.types.KQuants.bytes16;
import static dev.jseek.tensor.types.KQuants.dot16;
import static dev.jseek.tensor.types.KQuants.half;
import static dev.jseek.tensor.types.KQuants.minsK4;
import static dev.jseek.tensor.types.KQuants.scalesK4;
import static dev.jseek.tensor.types.KQuants.shr;
import static dev.jseek.tensor.types.KQuants.u8;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.Q8Activations;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Q4_K: 256 weights in 8 sub-blocks of 32, 144 bytes: fp16 d, fp16 dmin, 12 bytes packing 8
 * six-bit scales and 8 six-bit mins, then 128 bytes of 4-bit quants. Byte l of the j-th 32-byte
 * group holds weight 64j+l in its low nibble and 64j+32+l in its high nibble.
 * Weight = (d*scale)*q - (dmin*min).
 */
public final class Q4_K implements TypeKernel {

    private static final int BYTES = 144;

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk);
            float dmin = half(src, blk + 2);
            long scales = scalesK4(src, blk + 4);
            long mins = minsK4(src, blk + 4);
            for (int j = 0; j < 4; j++) {
                // ggml rounds the float products d*scale and dmin*min before using them.
                float d1 = d * byteOf(scales, 2 * j);
                float m1 = dmin * byteOf(mins, 2 * j);
                float d2 = d * byteOf(scales, 2 * j + 1);
                float m2 = dmin * byteOf(mins, 2 * j + 1);
                long q = blk + 16 + 32L * j;
                int y = dstOffset + b * QK + 64 * j;
                for (int l = 0; l < 32; l++) {
                    int v = u8(src, q + l);
                    dst[y + l] = d1 * (v & 0xF) - m1;
                    dst[y + 32 + l] = d2 * (v >> 4) - m2;
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        var f = KQuants.F;
        FloatVector acc = FloatVector.zero(f);
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk);
            float dmin = half(src, blk + 2);
            long scales = scalesK4(src, blk + 4);
            long mins = minsK4(src, blk + 4);
            for (int k = 0; k < 8; k++) {
                // sub-block k: the low (k even) or high nibbles of quant bytes 32*(k/2)..
                FloatVector dk = FloatVector.broadcast(f, d * byteOf(scales, k));
                FloatVector mk = FloatVector.broadcast(f, -(dmin * byteOf(mins, k)));
                for (int h = 0; h < 32; h += 16) {
                    ByteVector q = shr(bytes16(src, blk + 16 + 16L * (k & ~1) + h), 4 * (k & 1)).and((byte) 0xF);
                    acc = dot16(q, dk, mk, x, xOffset + b * QK + 32 * k + h, acc);
                }
            }
        }
        acc.intoArray(scratch, 0);
        return FloatOps.sumLanes(scratch, f.length());
    }

    @Override
    public boolean hasInt8Dot() {
        return true;
    }

    @Override
    public int int8Reads() {
        return Q8Activations.RUN_SUMS | (Q8Activations.WIDE ? Q8Activations.Q4K_ORDER : Q8Activations.PAIRED);
    }

    @Override
    public float dot(MemorySegment src, long offset, Q8Activations x, int n, float[] scratch) {
        dotRows(src, offset, 0, 1, x, n, scratch, RESULT, scratch);
        return scratch[RESULT];
    }

    /**
     * Nibbles times the 8-bit activations in 16-bit lanes, one float multiply-add per sub-block.
     * Each block starts with its header: the eight scales times d times the activations' scale go
     * to {@code scratch}, eight at a time in vector lanes, and the mins times dmin times the
     * activations' sums add up to the part taken off at the end, as llama.cpp does. Then each
     * half block's two 32-byte quant groups (four sub-blocks) are read together.
     *
     * <p>The header and the products share one pass over the row: a separate pass for the
     * headers took 1.14-1.32 times as long from memory (BENCHMARKS.md). The loop body is written
     * out with Vector API calls only (see {@link Int8Simd}).
     */
    @Override
    public void dotRows(MemorySegment src, long offset, long rowBytes, int rows, Q8Activations x, int n,
            float[] out, int outOffset, float[] scratch) {
        Simd.checkRows(src, offset, rowBytes, rows, (long) n / QK * BYTES);
        if (Q8Activations.WIDE) {
            PairedRows.dotRows(WIDE_ROWS, src, offset, rowBytes, rows, x, n, out, outOffset, scratch);
            return;
        }
        short[] v = x.paired();
        float[] xd = x.scales();
        int[] sums = x.sums32();
        for (int r = 0; r < rows; r++) {
            long row = offset + r * rowBytes;
            FloatVector offsets = FloatVector.zero(Int8Simd.F);
            FloatVector first = FloatVector.zero(Int8Simd.F);
            FloatVector second = FloatVector.zero(Int8Simd.F);
            for (int b = 0; b < n / QK; b++) {
                long blk = row + (long) b * BYTES;
                float dx = xd[b];
                FloatVector d = FloatVector.broadcast(Int8Simd.F, half(src, blk) * dx);
                FloatVector dmin = FloatVector.broadcast(Int8Simd.F, half(src, blk + 2) * dx);
                // The unpacked scales and mins in byte lanes 0-7 (a one-lane LongVector would stay a boxed object).
                ByteVector scales = LongVector.broadcast(LongVector.SPECIES_128, scalesK4(src, blk + 4)).reinterpretAsBytes();
                ByteVector mins = LongVector.broadcast(LongVector.SPECIES_128, minsK4(src, blk + 4)).reinterpretAsBytes();
                int sumsAt = 8 * b;
                // The part of a widening must be a constant when C2 compiles it, hence no loop here.
                ((FloatVector) scales.convertShape(VectorOperators.B2F, Int8Simd.F, 0)).mul(d).intoArray(scratch, 0);
                offsets = ((FloatVector) mins.convertShape(VectorOperators.B2F, Int8Simd.F, 0))
                        .mul((FloatVector) IntVector.fromArray(Int8Simd.I, sums, sumsAt).convert(VectorOperators.I2F, 0)).fma(dmin, offsets);
                if (Int8Simd.FL < 8) {
                    ((FloatVector) scales.convertShape(VectorOperators.B2F, Int8Simd.F, 1)).mul(d).intoArray(scratch, 4);
                    offsets = ((FloatVector) mins.convertShape(VectorOperators.B2F, Int8Simd.F, 1))
                            .mul((FloatVector) IntVector.fromArray(Int8Simd.I, sums, sumsAt + 4).convert(VectorOperators.I2F, 0)).fma(dmin, offsets);
                }
                // The two half blocks (four sub-blocks each), written out the same way twice: as a loop
                // of two turns nested in the block loop it ran 7-14% slower (C2 kept the array bounds
                // checks inside the block loop). The quants are loaded two bytes to a short lane, so the
                // activations come in pair order (Q8Activations.paired): a nibble is masked in place,
                // low bytes' nibbles meet the first half of a run, high bytes' the second.
                {
                    int h = 0;
                    long q = blk + 16 + 64 * h;
                    int xi = QK * b + 128 * h;
                    // The first turn's products replace the zeros, which C2 would otherwise add (the
                    // turn loop unrolls, p is a constant). Written out before the loop instead, the
                    // method outgrew C1's register allocator and never left the interpreter's pace.
                    ShortVector lo1 = ShortVector.zero(Int8Simd.S);
                    ShortVector hi1 = ShortVector.zero(Int8Simd.S);
                    ShortVector lo2 = ShortVector.zero(Int8Simd.S);
                    ShortVector hi2 = ShortVector.zero(Int8Simd.S);
                    for (int p = 0; p < 32; p += 2 * Int8Simd.SL) {
                        IntVector a = ShortVector.fromMemorySegment(Int8Simd.S, src, q + p, Simd.LE).reinterpretAsInts();
                        IntVector c = ShortVector.fromMemorySegment(Int8Simd.S, src, q + 32 + p, Simd.LE).reinterpretAsInts();
                        ShortVector lo1p = a.reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + p))
                                .add(a.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + p + Int8Simd.SL)));
                        lo1 = p == 0 ? lo1p : lo1.add(lo1p);
                        ShortVector hi1p = a.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 32 + p))
                                .add(a.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 32 + p + Int8Simd.SL)));
                        hi1 = p == 0 ? hi1p : hi1.add(hi1p);
                        ShortVector lo2p = c.reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 64 + p))
                                .add(c.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 64 + p + Int8Simd.SL)));
                        lo2 = p == 0 ? lo2p : lo2.add(lo2p);
                        ShortVector hi2p = c.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 96 + p))
                                .add(c.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 96 + p + Int8Simd.SL)));
                        hi2 = p == 0 ? hi2p : hi2.add(hi2p);
                    }
                    // Two or four products per lane, each within +-1905: a pair of lanes fits a short (Int8Simd.pairInts).
                    IntVector l1 = lo1.reinterpretAsInts();
                    IntVector h1 = hi1.reinterpretAsInts();
                    IntVector l2 = lo2.reinterpretAsInts();
                    IntVector h2 = hi2.reinterpretAsInts();
                    int sc = 4 * h;
                    first = ((FloatVector) l1.add(l1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[sc]), first);
                    second = ((FloatVector) h1.add(h1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[sc + 1]), second);
                    first = ((FloatVector) l2.add(l2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[sc + 2]), first);
                    second = ((FloatVector) h2.add(h2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[sc + 3]), second);
                }
                {
                    int h = 1;
                    long q = blk + 16 + 64 * h;
                    int xi = QK * b + 128 * h;
                    ShortVector lo1 = ShortVector.zero(Int8Simd.S);
                    ShortVector hi1 = ShortVector.zero(Int8Simd.S);
                    ShortVector lo2 = ShortVector.zero(Int8Simd.S);
                    ShortVector hi2 = ShortVector.zero(Int8Simd.S);
                    for (int p = 0; p < 32; p += 2 * Int8Simd.SL) {
                        IntVector a = ShortVector.fromMemorySegment(Int8Simd.S, src, q + p, Simd.LE).reinterpretAsInts();
                        IntVector c = ShortVector.fromMemorySegment(Int8Simd.S, src, q + 32 + p, Simd.LE).reinterpretAsInts();
                        ShortVector lo1p = a.reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + p))
                                .add(a.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + p + Int8Simd.SL)));
                        lo1 = p == 0 ? lo1p : lo1.add(lo1p);
                        ShortVector hi1p = a.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 32 + p))
                                .add(a.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 32 + p + Int8Simd.SL)));
                        hi1 = p == 0 ? hi1p : hi1.add(hi1p);
                        ShortVector lo2p = c.reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 64 + p))
                                .add(c.lanewise(VectorOperators.LSHR, 8).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 64 + p + Int8Simd.SL)));
                        lo2 = p == 0 ? lo2p : lo2.add(lo2p);
                        ShortVector hi2p = c.lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 96 + p))
                                .add(c.lanewise(VectorOperators.LSHR, 12).reinterpretAsShorts().and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 96 + p + Int8Simd.SL)));
                        hi2 = p == 0 ? hi2p : hi2.add(hi2p);
                    }
                    // Two or four products per lane, each within +-1905: a pair of lanes fits a short (Int8Simd.pairInts).
                    IntVector l1 = lo1.reinterpretAsInts();
                    IntVector h1 = hi1.reinterpretAsInts();
                    IntVector l2 = lo2.reinterpretAsInts();
                    IntVector h2 = hi2.reinterpretAsInts();
                    int sc = 4 * h;
                    first = ((FloatVector) l1.add(l1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[sc]), first);
                    second = ((FloatVector) h1.add(h1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[sc + 1]), second);
                    first = ((FloatVector) l2.add(l2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[sc + 2]), first);
                    second = ((FloatVector) h2.add(h2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[sc + 3]), second);
                }
            }
            int slot = r % ROW_BATCH;
            first.add(second).sub(offsets).intoArray(scratch, LANES_AT + slot * Int8Simd.FL);
            if (slot == ROW_BATCH - 1 || r == rows - 1) {
                Int8Simd.sumRows(scratch, out, outOffset + r - slot, slot + 1);
            }
        }
    }

    /**
     * The scales of sub-blocks j and j+2, each in eight lanes: a half block's product vectors hold
     * sub-blocks 0 and 2, then 1 and 3, of that half. Fields, so that C2 sees constants.
     */
    private static final VectorShuffle<Float> SCALES02 = subBlockPair(0);
    private static final VectorShuffle<Float> SCALES13 = subBlockPair(1);
    private static final VectorShuffle<Float> SCALES46 = subBlockPair(4);
    private static final VectorShuffle<Float> SCALES57 = subBlockPair(5);

    private static VectorShuffle<Float> subBlockPair(int j) {
        return VectorShuffle.fromOp(FloatVector.SPECIES_512, lane -> j + 2 * (lane / 8));
    }

    /** Header words a, c, b, c (1, 3, 2, 3): the low parts of the scales, their high parts, and the same of the mins. */
    private static final VectorShuffle<Integer> LOW_AND_HIGH_WORDS = headerWords(1, 3, 2, 3);
    /** Header words a, a, b, b: where the high parts' top two bits come from. */
    private static final VectorShuffle<Integer> TOP_BIT_WORDS = headerWords(1, 1, 2, 2);
    /** Lane 3, the mins' high parts, come from the high nibbles of word c. */
    private static final IntVector HIGH_MIN_SHIFT = headerLanes(0, 0, 0, 4);
    /** Six bits of each byte for the low parts, four for the high parts. */
    private static final IntVector LOW_BITS = headerLanes(0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F);
    /** The top two bits of the high parts' bytes, from bits 6-7 of words a and b shifted right by 2. */
    private static final IntVector TOP_BITS = headerLanes(0, 0x30303030, 0, 0x30303030);

    private static VectorShuffle<Integer> headerWords(int... words) {
        return VectorShuffle.fromOp(IntVector.SPECIES_512, lane -> lane < 4 ? words[lane] : 0);
    }

    private static IntVector headerLanes(int... values) {
        return IntVector.fromArray(IntVector.SPECIES_512, Arrays.copyOf(values, 16), 0);
    }

    /**
     * {@link #dotRows} with 512-bit vectors ({@link Q8Activations#WIDE}): a half block's two
     * 32-byte quant groups load as one vector, whose low nibbles are the half's sub-blocks 0 and
     * 2 and whose high nibbles are 1 and 3, so one product vector covers two sub-blocks and one
     * float multiply-add scales them, each with its own scale. The activations come in the
     * matching order ({@link Q8Activations#q4kOrder}). A block's eight scales and eight mins sit
     * in one float vector, times d and dmin in one multiply, and one multiply-add with the
     * activations' sums ({@link Q8Activations#q4kMinSums}) takes the mins' part off in the same
     * accumulator. Rows go two at a time, row r with row r + rows/2 ({@link PairedRows}).
     */
    private static final PairedRows WIDE_ROWS = new PairedRows() {
        @Override
        public void rowLanes(MemorySegment src, long row, Q8Activations x, int n, float[] lanes, int lanesAt) {
            rowLanesWide(src, row, x, n, lanes, lanesAt);
        }

        @Override
        public void twoRowLanes(MemorySegment src, long row, long distance, Q8Activations x, int n, float[] lanes, int lanesAt) {
            twoRowLanesWide(src, row, distance, x, n, lanes, lanesAt);
        }
    };

    /** One row's product, left as {@link Int8Simd#FL} float lanes at {@code lanes[lanesAt..)}. */
    private static void rowLanesWide(MemorySegment src, long row, Q8Activations x, int n, float[] lanes, int lanesAt) {
        var shorts = ShortVector.SPECIES_512;
        var ints = IntVector.SPECIES_512;
        var floats = FloatVector.SPECIES_512;
        var eight = FloatVector.SPECIES_256;
        short[] v = x.q4kOrder();
        float[] xd = x.scales();
        float[] minSums = x.q4kMinSums();
        FloatVector acc = FloatVector.zero(floats);
        MemorySegment memory = Simd.MEMORY;
        long rowAt = src.address() + row;
        for (int b = 0; b < n / QK; b++) {
            long blk = rowAt + (long) b * BYTES;
            // The header's words a, b, c from a load of 64 bytes: they hold the eight 6-bit scales and eight
            // mins (KQuants.scalesK4 and minsK4, here in vector lanes instead of eight reads).
            IntVector header = IntVector.fromMemorySegment(ints, memory, blk, Simd.LE);
            IntVector scalesMins = header.rearrange(LOW_AND_HIGH_WORDS).lanewise(VectorOperators.LSHR, HIGH_MIN_SHIFT).and(LOW_BITS)
                    .or(header.rearrange(TOP_BIT_WORDS).lanewise(VectorOperators.LSHR, 2).and(TOP_BITS));
            // Float lanes 0-7 the scales times d, 8-15 the mins times dmin, each times the activations' scale. d and
            // dmin come from the half table: they can be subnormal halves (ffn_down's d in every block of the synthetic
            // 1.5B file), which moved into float bits, as Q4_0's quad loop does, are subnormal floats, and multiplies
            // on those made that product take twice as long (BENCHMARKS.md).
            FloatVector halves = Int8Simd.pairScales(Simd.fp16Table(memory, blk), Simd.fp16Table(memory, blk + 2));
            FloatVector s = ((FloatVector) scalesMins.reinterpretAsBytes()
                    .convertShape(VectorOperators.B2F, floats, 0)).mul(halves.mul(xd[b]));
            acc = s.fma(FloatVector.fromArray(floats, minSums, 16 * b), acc);
            long q = blk + 16;
            int xi = QK * b;
            // Quant groups 0 and 1, then 2 and 3, written out: the scales' shuffles must be constants.
            // A short lane holds two quants of one sub-block, the even one in its low byte and the odd one
            // in its high: the whole lane meets the even value, its high byte the odd value less 256 times
            // the even (Q8Activations.q4kOrder). The sum wraps, but its exact value, two products within
            // +-1905, fits, and so does a pair of lanes' (Int8Simd.pairInts).
            IntVector a = IntVector.fromMemorySegment(ints, memory, q, Simd.LE);
            ShortVector low = a.and(0x0F0F0F0F).reinterpretAsShorts();
            ShortVector high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).reinterpretAsShorts();
            IntVector p0 = low.mul(ShortVector.fromArray(shorts, v, xi))
                    .add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(ShortVector.fromArray(shorts, v, xi + 32))).reinterpretAsInts();
            IntVector p1 = high.mul(ShortVector.fromArray(shorts, v, xi + 64))
                    .add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(ShortVector.fromArray(shorts, v, xi + 96))).reinterpretAsInts();
            acc = ((FloatVector) p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(s.rearrange(SCALES02), acc);
            acc = ((FloatVector) p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(s.rearrange(SCALES13), acc);
            a = IntVector.fromMemorySegment(ints, memory, q + 64, Simd.LE);
            low = a.and(0x0F0F0F0F).reinterpretAsShorts();
            high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).reinterpretAsShorts();
            p0 = low.mul(ShortVector.fromArray(shorts, v, xi + 128))
                    .add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(ShortVector.fromArray(shorts, v, xi + 160))).reinterpretAsInts();
            p1 = high.mul(ShortVector.fromArray(shorts, v, xi + 192))
                    .add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(ShortVector.fromArray(shorts, v, xi + 224))).reinterpretAsInts();
            acc = ((FloatVector) p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(s.rearrange(SCALES46), acc);
            acc = ((FloatVector) p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(s.rearrange(SCALES57), acc);
        }
        ((FloatVector) acc.reinterpretShape(eight, 0)).add((FloatVector) acc.reinterpretShape(eight, 1)).intoArray(lanes, lanesAt);
    }

    /**
     * {@link #rowLanesWide} for the row at {@code rowA} and the row {@code distance} bytes further,
     * each loaded activation vector serving both: per row the same operations in the same order,
     * so each row's lanes are its own, at {@code lanes[lanesAt..)} and the {@link Int8Simd#FL}
     * after. The two rows' steps are written out rather than put in a helper: past C2's inlining
     * budget a helper taking vectors runs on boxed ones (as Q4_0's two-row loop).
     */
    private static void twoRowLanesWide(MemorySegment src, long rowA, long distance, Q8Activations x, int n,
            float[] lanes, int lanesAt) {
        var shorts = ShortVector.SPECIES_512;
        var ints = IntVector.SPECIES_512;
        var floats = FloatVector.SPECIES_512;
        var eight = FloatVector.SPECIES_256;
        short[] v = x.q4kOrder();
        float[] xd = x.scales();
        float[] minSums = x.q4kMinSums();
        FloatVector accA = FloatVector.zero(floats);
        FloatVector accB = FloatVector.zero(floats);
        MemorySegment memory = Simd.MEMORY;
        long rowAt = src.address() + rowA;
        for (int b = 0; b < n / QK; b++) {
            FloatVector dx = FloatVector.broadcast(floats, xd[b]);
            FloatVector blockMinSums = FloatVector.fromArray(floats, minSums, 16 * b);
            long blkA = rowAt + (long) b * BYTES;
            IntVector headerA = IntVector.fromMemorySegment(ints, memory, blkA, Simd.LE);
            IntVector scalesMinsA = headerA.rearrange(LOW_AND_HIGH_WORDS).lanewise(VectorOperators.LSHR, HIGH_MIN_SHIFT).and(LOW_BITS)
                    .or(headerA.rearrange(TOP_BIT_WORDS).lanewise(VectorOperators.LSHR, 2).and(TOP_BITS));
            FloatVector halvesA = Int8Simd.pairScales(Simd.fp16Table(memory, blkA), Simd.fp16Table(memory, blkA + 2));
            FloatVector sA = ((FloatVector) scalesMinsA.reinterpretAsBytes()
                    .convertShape(VectorOperators.B2F, floats, 0)).mul(halvesA.mul(dx));
            accA = sA.fma(blockMinSums, accA);
            long blkB = blkA + distance;
            IntVector headerB = IntVector.fromMemorySegment(ints, memory, blkB, Simd.LE);
            IntVector scalesMinsB = headerB.rearrange(LOW_AND_HIGH_WORDS).lanewise(VectorOperators.LSHR, HIGH_MIN_SHIFT).and(LOW_BITS)
                    .or(headerB.rearrange(TOP_BIT_WORDS).lanewise(VectorOperators.LSHR, 2).and(TOP_BITS));
            FloatVector halvesB = Int8Simd.pairScales(Simd.fp16Table(memory, blkB), Simd.fp16Table(memory, blkB + 2));
            FloatVector sB = ((FloatVector) scalesMinsB.reinterpretAsBytes()
                    .convertShape(VectorOperators.B2F, floats, 0)).mul(halvesB.mul(dx));
            accB = sB.fma(blockMinSums, accB);
            int xi = QK * b;
            ShortVector v0 = ShortVector.fromArray(shorts, v, xi);
            ShortVector v1 = ShortVector.fromArray(shorts, v, xi + 32);
            ShortVector v2 = ShortVector.fromArray(shorts, v, xi + 64);
            ShortVector v3 = ShortVector.fromArray(shorts, v, xi + 96);
            IntVector a = IntVector.fromMemorySegment(ints, memory, blkA + 16, Simd.LE);
            ShortVector low = a.and(0x0F0F0F0F).reinterpretAsShorts();
            ShortVector high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).reinterpretAsShorts();
            IntVector p0 = low.mul(v0).add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v1)).reinterpretAsInts();
            IntVector p1 = high.mul(v2).add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v3)).reinterpretAsInts();
            accA = ((FloatVector) p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(sA.rearrange(SCALES02), accA);
            accA = ((FloatVector) p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(sA.rearrange(SCALES13), accA);
            a = IntVector.fromMemorySegment(ints, memory, blkB + 16, Simd.LE);
            low = a.and(0x0F0F0F0F).reinterpretAsShorts();
            high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).reinterpretAsShorts();
            p0 = low.mul(v0).add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v1)).reinterpretAsInts();
            p1 = high.mul(v2).add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v3)).reinterpretAsInts();
            accB = ((FloatVector) p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(sB.rearrange(SCALES02), accB);
            accB = ((FloatVector) p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(sB.rearrange(SCALES13), accB);
            v0 = ShortVector.fromArray(shorts, v, xi + 128);
            v1 = ShortVector.fromArray(shorts, v, xi + 160);
            v2 = ShortVector.fromArray(shorts, v, xi + 192);
            v3 = ShortVector.fromArray(shorts, v, xi + 224);
            a = IntVector.fromMemorySegment(ints, memory, blkA + 80, Simd.LE);
            low = a.and(0x0F0F0F0F).reinterpretAsShorts();
            high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).reinterpretAsShorts();
            p0 = low.mul(v0).add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v1)).reinterpretAsInts();
            p1 = high.mul(v2).add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v3)).reinterpretAsInts();
            accA = ((FloatVector) p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(sA.rearrange(SCALES46), accA);
            accA = ((FloatVector) p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(sA.rearrange(SCALES57), accA);
            a = IntVector.fromMemorySegment(ints, memory, blkB + 80, Simd.LE);
            low = a.and(0x0F0F0F0F).reinterpretAsShorts();
            high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).reinterpretAsShorts();
            p0 = low.mul(v0).add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v1)).reinterpretAsInts();
            p1 = high.mul(v2).add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v3)).reinterpretAsInts();
            accB = ((FloatVector) p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(sB.rearrange(SCALES46), accB);
            accB = ((FloatVector) p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(sB.rearrange(SCALES57), accB);
        }
        ((FloatVector) accA.reinterpretShape(eight, 0)).add((FloatVector) accA.reinterpretShape(eight, 1)).intoArray(lanes, lanesAt);
        ((FloatVector) accB.reinterpretShape(eight, 0)).add((FloatVector) accB.reinterpretShape(eight, 1))
                .intoArray(lanes, lanesAt + Int8Simd.FL);
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk);
            float dmin = half(src, blk + 2);
            long scales = scalesK4(src, blk + 4);
            long mins = minsK4(src, blk + 4);
            for (int j = 0; j < 4; j++) {
                float d1 = d * byteOf(scales, 2 * j);
                float m1 = dmin * byteOf(mins, 2 * j);
                float d2 = d * byteOf(scales, 2 * j + 1);
                float m2 = dmin * byteOf(mins, 2 * j + 1);
                long q = blk + 16 + 32L * j;
                int xi = xOffset + b * QK + 64 * j;
                for (int l = 0; l < 32; l++) {
                    int v = u8(src, q + l);
                    sum += (d1 * (v & 0xF) - m1) * x[xi + l];
                    sum += (d2 * (v >> 4) - m2) * x[xi + 32 + l];
                }
            }
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /**
     * ggml's reference (quantize_row_q4_K_ref): each sub-block of 32 gets levels 0..15 with a
     * scale and a min (weights mean magnitude + |x|, 21 scales tried), both rounded to 6 bits
     * against the largest, and the weights requantized with the stored values.
     */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        var s = new KQuantizer.Scratch(BYTES);
        byte[] blk = s.block;
        byte[] levels = s.levels;
        for (int b = 0; b < n / QK; b++) {
            KQuantizer.scaleMinBlock(src, srcOffset + b * QK, 15, -1f, 0.1f, 20, s);
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 32; l++) {
                    blk[16 + 32 * j + l] = (byte) (levels[64 * j + l] | levels[64 * j + 32 + l] << 4);
                }
            }
            s.writeTo(dst, offset + (long) b * BYTES);
        }
    }
}

package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.KQuants.QK;
import static dev.jseek.tensor.types.KQuants.bytes16;
import static dev.jseek.tensor.types.KQuants.dot16;
import static dev.jseek.tensor.types.KQuants.half;
import static dev.jseek.tensor.types.KQuants.i64;
import static dev.jseek.tensor.types.KQuants.shl;
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
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Q6_K: 256 weights in 16 sub-blocks of 16, 210 bytes: 128 bytes of low nibbles, 64 bytes of
 * high 2-bit pairs, 16 signed 8-bit scales, fp16 d. Each half of 128 weights uses 64 low-nibble
 * bytes, 32 high-bit bytes and 8 scales: for l in 0..31, low byte l feeds weights l (low nibble)
 * and l+64 (high nibble), low byte l+32 feeds l+32 and l+96, and high byte l gives those four
 * weights their top two bits in bits 0-1, 2-3, 4-5, 6-7. Weight = (d*scale)*(q - 32).
 */
public final class Q6_K implements TypeKernel {

    private static final int BYTES = 210;
    /** Where {@link #header} leaves the part of the offsets, after the 64 expanded scales. */
    private static final int OFFSETS_AT = 64;

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk + 208);
            for (int half = 0; half < 2; half++) {
                long ql = blk + 64L * half;
                long qh = blk + 128 + 32L * half;
                long sc = i64(src, blk + 192 + 8L * half);
                int y = dstOffset + b * QK + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int s = l / 16;
                    int a = u8(src, ql + l);
                    int c = u8(src, ql + 32 + l);
                    int h = u8(src, qh + l);
                    // (d*scale) is rounded first, as in ggml
                    dst[y + l] = d * scale(sc, s) * (((a & 0xF) | (h & 3) << 4) - 32);
                    dst[y + 32 + l] = d * scale(sc, s + 2) * (((c & 0xF) | (h >> 2 & 3) << 4) - 32);
                    dst[y + 64 + l] = d * scale(sc, s + 4) * (((a >> 4) | (h >> 4 & 3) << 4) - 32);
                    dst[y + 96 + l] = d * scale(sc, s + 6) * (((c >> 4) | (h >> 6) << 4) - 32);
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        var f = KQuants.F;
        FloatVector zero = FloatVector.zero(f);
        FloatVector acc = zero;
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk + 208);
            for (int half = 0; half < 2; half++) {
                long ql = blk + 64L * half;
                long qh = blk + 128 + 32L * half;
                long sc = i64(src, blk + 192 + 8L * half);
                for (int k = 0; k < 8; k++) {
                    // sub-block k of this half: 16 weights at 16*k, i.e. quarter t = k/2, s = k%2
                    int t = k / 2;
                    int s = k % 2;
                    ByteVector low = shr(bytes16(src, ql + 32 * (t & 1) + 16 * s), 4 * (t >> 1)).and((byte) 0xF);
                    ByteVector top = shl(shr(bytes16(src, qh + 16 * s), 2 * t), 4).and((byte) 0x30);
                    FloatVector dk = FloatVector.broadcast(f, d * scale(sc, s + 2 * t));
                    acc = dot16(low.or(top).sub((byte) 32), dk, zero, x, xOffset + b * QK + 128 * half + 16 * k, acc);
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
        return Q8Activations.RUN_SUMS | Q8Activations.PAIRED;
    }

    /**
     * Shuffle m spreads a vector of sub-block scales over int lanes: lane j takes lane
     * (m * FL + j) / 4, as the integer dot product's int lanes hold four weights each, so four
     * lanes make a sub-block of 16. Four fields, not an array, so that C2 sees constants.
     */
    private static final VectorShuffle<Float> EXPAND0 = expand(0);
    private static final VectorShuffle<Float> EXPAND1 = expand(1);
    private static final VectorShuffle<Float> EXPAND2 = expand(2);
    private static final VectorShuffle<Float> EXPAND3 = expand(3);

    private static VectorShuffle<Float> expand(int m) {
        return VectorShuffle.fromOp(Int8Simd.F, j -> (m * Int8Simd.FL + j) / 4);
    }

    @Override
    public float dot(MemorySegment src, long offset, Q8Activations x, int n, float[] scratch) {
        dotRows(src, offset, 0, 1, x, n, scratch, RESULT, scratch);
        return scratch[RESULT];
    }

    /**
     * The 6-bit weights as stored (0..63) times the 8-bit activations in 16-bit lanes; the offset
     * of 32 comes off once at the end through the activations' sums, as llama.cpp does. The quant
     * bytes are loaded two to a short lane and their bits masked in place, so the activations come
     * in pair order ({@link Q8Activations#paired}): each product vector holds two products per
     * lane, and adjacent lanes summed into ints give four weights per int lane, all of one
     * sub-block of 16. Each block starts with its header ({@link #header}, once per half): the
     * sixteen scales times d times the activations' scale, each repeated for its four int lanes, go
     * to {@code scratch}, so one float multiply-add scales a whole product vector (two sub-blocks
     * with 256-bit vectors).
     *
     * <p>The header and the products share one pass over the row: a separate pass for the
     * headers took 1.16-1.28 times as long from memory (BENCHMARKS.md). The loop body is written
     * out with Vector API calls only (see {@link Int8Simd}); the header, the one call, is inlined.
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
        int[] sums = x.sums16();
        for (int r = 0; r < rows; r++) {
            long row = offset + r * rowBytes;
            FloatVector offsets = FloatVector.zero(Int8Simd.F);
            FloatVector lowAcc = FloatVector.zero(Int8Simd.F);
            FloatVector highAcc = FloatVector.zero(Int8Simd.F);
            for (int b = 0; b < n / QK; b++) {
                long blk = row + (long) b * BYTES;
                // Both halves' headers first: C2 inlines them only while the method is still small
                // (NodeCountInliningCutoff), and refuses them after the first half's products.
                float d = half(src, blk + 208) * xd[b];
                header(src, blk, 0, d, sums, 16 * b, scratch);
                offsets = offsets.add(FloatVector.fromArray(Int8Simd.F, scratch, OFFSETS_AT));
                header(src, blk, 1, d, sums, 16 * b + 8, scratch);
                offsets = offsets.add(FloatVector.fromArray(Int8Simd.F, scratch, OFFSETS_AT));
                // The two half blocks written out the same way twice: as a loop of two turns nested in
                // the block loop, C2 kept the second turn's activation bounds checks (eight per block)
                // inside the block loop; written out, 1.18-1.30x (BENCHMARKS.md).
                {
                    int h = 0;
                    long ql = blk + 64 * h;
                    long qh = blk + 128 + 32 * h;
                    int xi = QK * b + 128 * h;
                    for (int p = 0; p < 32; p += 2 * Int8Simd.SL) {
                        // Int lanes: a short lane's two bytes are weights l (low byte) and l+1 (high).
                        IntVector a = ShortVector.fromMemorySegment(Int8Simd.S, src, ql + p, Simd.LE).reinterpretAsInts();
                        IntVector c = ShortVector.fromMemorySegment(Int8Simd.S, src, ql + 32 + p, Simd.LE).reinterpretAsInts();
                        IntVector t = ShortVector.fromMemorySegment(Int8Simd.S, src, qh + p, Simd.LE).reinterpretAsInts();
                        // Weights l, l+32, l+64, l+96 in place, six bits to a byte; then even l (the
                        // low byte of each short lane) and odd l apart.
                        IntVector q0 = a.and(0x0F0F0F0F).or(t.lanewise(VectorOperators.LSHL, 4).and(0x30303030));
                        IntVector q2 = c.and(0x0F0F0F0F).or(t.lanewise(VectorOperators.LSHL, 2).and(0x30303030));
                        IntVector q4 = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(t.and(0x30303030));
                        IntVector q6 = c.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F)
                                .or(t.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
                        ShortVector w0 = q0.and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w1 = q0.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w2 = q2.and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w3 = q2.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w4 = q4.and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w5 = q4.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w6 = q6.and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w7 = q6.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).reinterpretAsShorts();
                        // Products are within +-8001, so a lane's two and a pair of lanes fit a short (Int8Simd.pairInts).
                        IntVector p0 = w0.mul(ShortVector.fromArray(Int8Simd.S, v, xi + p))
                                .add(w1.mul(ShortVector.fromArray(Int8Simd.S, v, xi + p + Int8Simd.SL))).reinterpretAsInts();
                        IntVector p2 = w2.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 32 + p))
                                .add(w3.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 32 + p + Int8Simd.SL))).reinterpretAsInts();
                        IntVector p4 = w4.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 64 + p))
                                .add(w5.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 64 + p + Int8Simd.SL))).reinterpretAsInts();
                        IntVector p6 = w6.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 96 + p))
                                .add(w7.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 96 + p + Int8Simd.SL))).reinterpretAsInts();
                        // Expanded scales of weights 128h + 32g + p onwards: 4 floats per sub-block of 16.
                        int e = 32 * h + p / 4;
                        lowAcc = ((FloatVector) p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(Int8Simd.F, scratch, e), lowAcc);
                        highAcc = ((FloatVector) p4.add(p4.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(Int8Simd.F, scratch, e + 16), highAcc);
                        lowAcc = ((FloatVector) p2.add(p2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(Int8Simd.F, scratch, e + 8), lowAcc);
                        highAcc = ((FloatVector) p6.add(p6.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(Int8Simd.F, scratch, e + 24), highAcc);
                    }
                }
                {
                    int h = 1;
                    long ql = blk + 64 * h;
                    long qh = blk + 128 + 32 * h;
                    int xi = QK * b + 128 * h;
                    for (int p = 0; p < 32; p += 2 * Int8Simd.SL) {
                        // Int lanes: a short lane's two bytes are weights l (low byte) and l+1 (high).
                        IntVector a = ShortVector.fromMemorySegment(Int8Simd.S, src, ql + p, Simd.LE).reinterpretAsInts();
                        IntVector c = ShortVector.fromMemorySegment(Int8Simd.S, src, ql + 32 + p, Simd.LE).reinterpretAsInts();
                        IntVector t = ShortVector.fromMemorySegment(Int8Simd.S, src, qh + p, Simd.LE).reinterpretAsInts();
                        // Weights l, l+32, l+64, l+96 in place, six bits to a byte; then even l (the
                        // low byte of each short lane) and odd l apart.
                        IntVector q0 = a.and(0x0F0F0F0F).or(t.lanewise(VectorOperators.LSHL, 4).and(0x30303030));
                        IntVector q2 = c.and(0x0F0F0F0F).or(t.lanewise(VectorOperators.LSHL, 2).and(0x30303030));
                        IntVector q4 = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F).or(t.and(0x30303030));
                        IntVector q6 = c.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F)
                                .or(t.lanewise(VectorOperators.LSHR, 2).and(0x30303030));
                        ShortVector w0 = q0.and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w1 = q0.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w2 = q2.and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w3 = q2.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w4 = q4.and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w5 = q4.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w6 = q6.and(0x00FF00FF).reinterpretAsShorts();
                        ShortVector w7 = q6.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF).reinterpretAsShorts();
                        // Products are within +-8001, so a lane's two and a pair of lanes fit a short (Int8Simd.pairInts).
                        IntVector p0 = w0.mul(ShortVector.fromArray(Int8Simd.S, v, xi + p))
                                .add(w1.mul(ShortVector.fromArray(Int8Simd.S, v, xi + p + Int8Simd.SL))).reinterpretAsInts();
                        IntVector p2 = w2.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 32 + p))
                                .add(w3.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 32 + p + Int8Simd.SL))).reinterpretAsInts();
                        IntVector p4 = w4.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 64 + p))
                                .add(w5.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 64 + p + Int8Simd.SL))).reinterpretAsInts();
                        IntVector p6 = w6.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 96 + p))
                                .add(w7.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 96 + p + Int8Simd.SL))).reinterpretAsInts();
                        // Expanded scales of weights 128h + 32g + p onwards: 4 floats per sub-block of 16.
                        int e = 32 * h + p / 4;
                        lowAcc = ((FloatVector) p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(Int8Simd.F, scratch, e), lowAcc);
                        highAcc = ((FloatVector) p4.add(p4.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(Int8Simd.F, scratch, e + 16), highAcc);
                        lowAcc = ((FloatVector) p2.add(p2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(Int8Simd.F, scratch, e + 8), lowAcc);
                        highAcc = ((FloatVector) p6.add(p6.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(Int8Simd.F, scratch, e + 24), highAcc);
                    }
                }
            }
            int slot = r % ROW_BATCH;
            lowAcc.add(highAcc).sub(offsets.mul(32)).intoArray(scratch, LANES_AT + slot * Int8Simd.FL);
            if (slot == ROW_BATCH - 1 || r == rows - 1) {
                Int8Simd.sumRows(scratch, out, outOffset + r - slot, slot + 1);
            }
        }
    }

    /** Int lanes 8-15 of a 512-bit vector in both its halves: the 32 high-bit bytes of a half block, loaded 32 bytes early. */
    private static final VectorShuffle<Integer> HIGH_BITS = VectorShuffle.fromOp(IntVector.SPECIES_512, j -> 8 + j % 8);
    /** Per int lane, the left shift that brings weights l's (first half) or l+32's (second half) top bits to bits 4-5. */
    private static final IntVector LOW_WEIGHT_SHIFTS = IntVector.fromArray(IntVector.SPECIES_512,
            new int[] {4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2}, 0);
    /** The right shift for weights l+64 (first half) and l+96 (second half). */
    private static final IntVector HIGH_WEIGHT_SHIFTS = IntVector.fromArray(IntVector.SPECIES_512,
            new int[] {0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2}, 0);

    /** The scales of sub-blocks 4k..4k+3, each in the four int lanes its products fill. Fields, so that C2 sees constants. */
    private static final VectorShuffle<Float> SUB_BLOCKS_0_3 = subBlocks(0);
    private static final VectorShuffle<Float> SUB_BLOCKS_4_7 = subBlocks(1);
    private static final VectorShuffle<Float> SUB_BLOCKS_8_11 = subBlocks(2);
    private static final VectorShuffle<Float> SUB_BLOCKS_12_15 = subBlocks(3);

    private static VectorShuffle<Float> subBlocks(int k) {
        return VectorShuffle.fromOp(FloatVector.SPECIES_512, j -> 4 * k + j / 4);
    }

    /**
     * {@link #dotRows} with 512-bit vectors ({@link Q8Activations#WIDE}): a half block's 64
     * low-nibble bytes load as one vector, whose low nibbles are weights 0-63 and high nibbles
     * 64-127 in order, and its 32 high-bit bytes are copied into both halves of a vector and shifted
     * per half. Two product vectors per half block, each four sub-blocks of 16 in its int lanes,
     * scaled by the block's sixteen scales, spread over those lanes by constant shuffles. Rows go
     * two at a time, row r with row r + rows/2 ({@link PairedRows}).
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
        short[] v = x.paired();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector acc = FloatVector.zero(floats);
        MemorySegment memory = Simd.MEMORY;
        long rowAt = src.address() + row;
        for (int b = 0; b < n / QK; b++) {
            long blk = rowAt + (long) b * BYTES;
            // The sixteen scales times d, and what the offset of 32 takes off through the activations' sums.
            FloatVector scales = ((FloatVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, memory, blk + 192, Simd.LE)
                    .convertShape(VectorOperators.B2F, floats, 0)).mul(half(memory, blk + 208) * xd[b]);
            acc = scales.fma(((FloatVector) IntVector.fromArray(ints, sums, 16 * b).convert(VectorOperators.I2F, 0)).mul(-32), acc);
            // The two half blocks written out, as in dotRows.
            {
                int h = 0;
                int xi = QK * b + 128 * h;
                IntVector a = IntVector.fromMemorySegment(ints, memory, blk + 64 * h, Simd.LE);
                IntVector t = IntVector.fromMemorySegment(ints, memory, blk + 128 + 32 * h - 32, Simd.LE).rearrange(HIGH_BITS);
                // Weights 0-63 and 64-127 of the half, six bits to a byte; then even and odd weights apart.
                ShortVector low = a.and(0x0F0F0F0F).or(t.lanewise(VectorOperators.LSHL, LOW_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
                ShortVector high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F)
                        .or(t.lanewise(VectorOperators.LSHR, HIGH_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
                // The whole lane meets the even value and its high byte the odd value less 256 times the even
                // (Q8Activations.paired), as in Q4_K. The sum wraps, but the exact sum of a lane's two products
                // (each within +-8001) fits a short, and so does a pair of lanes' (Int8Simd.pairInts).
                IntVector pl = low.mul(ShortVector.fromArray(shorts, v, xi))
                        .add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(ShortVector.fromArray(shorts, v, xi + 32))).reinterpretAsInts();
                IntVector ph = high.mul(ShortVector.fromArray(shorts, v, xi + 64))
                        .add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(ShortVector.fromArray(shorts, v, xi + 96))).reinterpretAsInts();
                acc = ((FloatVector) pl.add(pl.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0)).fma(scales.rearrange(SUB_BLOCKS_0_3), acc);
                acc = ((FloatVector) ph.add(ph.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0)).fma(scales.rearrange(SUB_BLOCKS_4_7), acc);
            }
            {
                int h = 1;
                int xi = QK * b + 128 * h;
                IntVector a = IntVector.fromMemorySegment(ints, memory, blk + 64 * h, Simd.LE);
                IntVector t = IntVector.fromMemorySegment(ints, memory, blk + 128 + 32 * h - 32, Simd.LE).rearrange(HIGH_BITS);
                ShortVector low = a.and(0x0F0F0F0F).or(t.lanewise(VectorOperators.LSHL, LOW_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
                ShortVector high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F)
                        .or(t.lanewise(VectorOperators.LSHR, HIGH_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
                IntVector pl = low.mul(ShortVector.fromArray(shorts, v, xi))
                        .add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(ShortVector.fromArray(shorts, v, xi + 32))).reinterpretAsInts();
                IntVector ph = high.mul(ShortVector.fromArray(shorts, v, xi + 64))
                        .add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(ShortVector.fromArray(shorts, v, xi + 96))).reinterpretAsInts();
                acc = ((FloatVector) pl.add(pl.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0)).fma(scales.rearrange(SUB_BLOCKS_8_11), acc);
                acc = ((FloatVector) ph.add(ph.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0)).fma(scales.rearrange(SUB_BLOCKS_12_15), acc);
            }
        }
        ((FloatVector) acc.reinterpretShape(eight, 0)).add((FloatVector) acc.reinterpretShape(eight, 1)).intoArray(lanes, lanesAt);
    }

    /**
     * {@link #rowLanesWide} for the row at {@code rowA} and the row {@code distance} bytes further,
     * each loaded activation vector serving both: per row the same operations in the same order,
     * so each row's lanes are its own, at {@code lanes[lanesAt..)} and the {@link Int8Simd#FL}
     * after. Written out, as Q4_K's two-row loop, for C2's inlining budget.
     */
    private static void twoRowLanesWide(MemorySegment src, long rowA, long distance, Q8Activations x, int n,
            float[] lanes, int lanesAt) {
        var shorts = ShortVector.SPECIES_512;
        var ints = IntVector.SPECIES_512;
        var floats = FloatVector.SPECIES_512;
        var eight = FloatVector.SPECIES_256;
        short[] v = x.paired();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector accA = FloatVector.zero(floats);
        FloatVector accB = FloatVector.zero(floats);
        MemorySegment memory = Simd.MEMORY;
        long rowAt = src.address() + rowA;
        for (int b = 0; b < n / QK; b++) {
            long blkA = rowAt + (long) b * BYTES;
            long blkB = blkA + distance;
            float dx = xd[b];
            // The offset of 32 taken off through the activations' sums, as part of the same sum.
            FloatVector blockSums = ((FloatVector) IntVector.fromArray(ints, sums, 16 * b).convert(VectorOperators.I2F, 0)).mul(-32);
            FloatVector scalesA = ((FloatVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, memory, blkA + 192, Simd.LE)
                    .convertShape(VectorOperators.B2F, floats, 0)).mul(half(memory, blkA + 208) * dx);
            accA = scalesA.fma(blockSums, accA);
            FloatVector scalesB = ((FloatVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, memory, blkB + 192, Simd.LE)
                    .convertShape(VectorOperators.B2F, floats, 0)).mul(half(memory, blkB + 208) * dx);
            accB = scalesB.fma(blockSums, accB);
            int xi = QK * b;
            ShortVector v0 = ShortVector.fromArray(shorts, v, xi);
            ShortVector v1 = ShortVector.fromArray(shorts, v, xi + 32);
            ShortVector v2 = ShortVector.fromArray(shorts, v, xi + 64);
            ShortVector v3 = ShortVector.fromArray(shorts, v, xi + 96);
            IntVector a;
            IntVector t;
            ShortVector low;
            ShortVector high;
            IntVector pl;
            IntVector ph;
            a = IntVector.fromMemorySegment(ints, memory, blkA, Simd.LE);
            t = IntVector.fromMemorySegment(ints, memory, blkA + 96, Simd.LE).rearrange(HIGH_BITS);
            low = a.and(0x0F0F0F0F).or(t.lanewise(VectorOperators.LSHL, LOW_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
            high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F)
                    .or(t.lanewise(VectorOperators.LSHR, HIGH_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
            pl = low.mul(v0).add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v1)).reinterpretAsInts();
            ph = high.mul(v2).add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v3)).reinterpretAsInts();
            accA = ((FloatVector) pl.add(pl.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(scalesA.rearrange(SUB_BLOCKS_0_3), accA);
            accA = ((FloatVector) ph.add(ph.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(scalesA.rearrange(SUB_BLOCKS_4_7), accA);
            a = IntVector.fromMemorySegment(ints, memory, blkB, Simd.LE);
            t = IntVector.fromMemorySegment(ints, memory, blkB + 96, Simd.LE).rearrange(HIGH_BITS);
            low = a.and(0x0F0F0F0F).or(t.lanewise(VectorOperators.LSHL, LOW_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
            high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F)
                    .or(t.lanewise(VectorOperators.LSHR, HIGH_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
            pl = low.mul(v0).add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v1)).reinterpretAsInts();
            ph = high.mul(v2).add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v3)).reinterpretAsInts();
            accB = ((FloatVector) pl.add(pl.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(scalesB.rearrange(SUB_BLOCKS_0_3), accB);
            accB = ((FloatVector) ph.add(ph.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(scalesB.rearrange(SUB_BLOCKS_4_7), accB);
            v0 = ShortVector.fromArray(shorts, v, xi + 128);
            v1 = ShortVector.fromArray(shorts, v, xi + 160);
            v2 = ShortVector.fromArray(shorts, v, xi + 192);
            v3 = ShortVector.fromArray(shorts, v, xi + 224);
            a = IntVector.fromMemorySegment(ints, memory, blkA + 64, Simd.LE);
            t = IntVector.fromMemorySegment(ints, memory, blkA + 128, Simd.LE).rearrange(HIGH_BITS);
            low = a.and(0x0F0F0F0F).or(t.lanewise(VectorOperators.LSHL, LOW_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
            high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F)
                    .or(t.lanewise(VectorOperators.LSHR, HIGH_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
            pl = low.mul(v0).add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v1)).reinterpretAsInts();
            ph = high.mul(v2).add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v3)).reinterpretAsInts();
            accA = ((FloatVector) pl.add(pl.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(scalesA.rearrange(SUB_BLOCKS_8_11), accA);
            accA = ((FloatVector) ph.add(ph.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(scalesA.rearrange(SUB_BLOCKS_12_15), accA);
            a = IntVector.fromMemorySegment(ints, memory, blkB + 64, Simd.LE);
            t = IntVector.fromMemorySegment(ints, memory, blkB + 128, Simd.LE).rearrange(HIGH_BITS);
            low = a.and(0x0F0F0F0F).or(t.lanewise(VectorOperators.LSHL, LOW_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
            high = a.lanewise(VectorOperators.LSHR, 4).and(0x0F0F0F0F)
                    .or(t.lanewise(VectorOperators.LSHR, HIGH_WEIGHT_SHIFTS).and(0x30303030)).reinterpretAsShorts();
            pl = low.mul(v0).add(low.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v1)).reinterpretAsInts();
            ph = high.mul(v2).add(high.lanewise(VectorOperators.LSHR, Int8Simd.HIGH_BYTE_SHIFT).mul(v3)).reinterpretAsInts();
            accB = ((FloatVector) pl.add(pl.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(scalesB.rearrange(SUB_BLOCKS_8_11), accB);
            accB = ((FloatVector) ph.add(ph.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(scalesB.rearrange(SUB_BLOCKS_12_15), accB);
        }
        ((FloatVector) accA.reinterpretShape(eight, 0)).add((FloatVector) accA.reinterpretShape(eight, 1)).intoArray(lanes, lanesAt);
        ((FloatVector) accB.reinterpretShape(eight, 0)).add((FloatVector) accB.reinterpretShape(eight, 1))
                .intoArray(lanes, lanesAt + Int8Simd.FL);
    }

    /**
     * Half h of a block's header: its eight scales times {@code d} (the block's d times the
     * activations' scale), each repeated for the four int lanes of its sub-block, to
     * {@code scratch[32h..32h+32)}, and those scales times the activations' sums of 16
     * ({@code sums[sumsAt..+8)}) to {@code scratch[OFFSETS_AT..)}: what the offset of 32 takes
     * off, in vector lanes.
     *
     * <p>A method of its own, small enough for C2 to inline: written out twice in the kernel, the
     * kernel outgrew C1, which gave up on it; the method then stayed in C1's unprofiled code at
     * 0.04 GB/s and never reached C2. It takes and returns no vectors, so where C2 does not inline
     * it (compiles entered from a loop) it is a plain call, not boxed vectors.
     */
    private static void header(MemorySegment src, long blk, int h, float d, int[] sums, int sumsAt, float[] scratch) {
        ByteVector scales = ByteVector.fromMemorySegment(ByteVector.SPECIES_64, src, blk + 192 + 8 * h, Simd.LE);
        FloatVector dv = FloatVector.broadcast(Int8Simd.F, d);
        int at = 32 * h;
        // The part of a widening must be a constant when C2 compiles it, hence no loop here.
        FloatVector s = ((FloatVector) scales.convertShape(VectorOperators.B2F, Int8Simd.F, 0)).mul(dv);
        FloatVector offsets = s.mul((FloatVector) IntVector.fromArray(Int8Simd.I, sums, sumsAt).convert(VectorOperators.I2F, 0));
        s.rearrange(EXPAND0).intoArray(scratch, at);
        s.rearrange(EXPAND1).intoArray(scratch, at + Int8Simd.FL);
        s.rearrange(EXPAND2).intoArray(scratch, at + 2 * Int8Simd.FL);
        s.rearrange(EXPAND3).intoArray(scratch, at + 3 * Int8Simd.FL);
        if (Int8Simd.FL < 8) {
            s = ((FloatVector) scales.convertShape(VectorOperators.B2F, Int8Simd.F, 1)).mul(dv);
            offsets = s.fma((FloatVector) IntVector.fromArray(Int8Simd.I, sums, sumsAt + 4).convert(VectorOperators.I2F, 0), offsets);
            s.rearrange(EXPAND0).intoArray(scratch, at + 16);
            s.rearrange(EXPAND1).intoArray(scratch, at + 20);
            s.rearrange(EXPAND2).intoArray(scratch, at + 24);
            s.rearrange(EXPAND3).intoArray(scratch, at + 28);
        }
        offsets.intoArray(scratch, OFFSETS_AT);
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float d = half(src, blk + 208);
            for (int half = 0; half < 2; half++) {
                long ql = blk + 64L * half;
                long qh = blk + 128 + 32L * half;
                long sc = i64(src, blk + 192 + 8L * half);
                int xi = xOffset + b * QK + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int s = l / 16;
                    int a = u8(src, ql + l);
                    int c = u8(src, ql + 32 + l);
                    int h = u8(src, qh + l);
                    sum += d * scale(sc, s) * (((a & 0xF) | (h & 3) << 4) - 32) * x[xi + l];
                    sum += d * scale(sc, s + 2) * (((c & 0xF) | (h >> 2 & 3) << 4) - 32) * x[xi + 32 + l];
                    sum += d * scale(sc, s + 4) * (((a >> 4) | (h >> 4 & 3) << 4) - 32) * x[xi + 64 + l];
                    sum += d * scale(sc, s + 6) * (((c >> 4) | (h >> 6) << 4) - 32) * x[xi + 96 + l];
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
     * ggml's reference (quantize_row_q6_K_ref): each sub-block of 16 gets levels -32..31 from a
     * symmetric least-squares fit; the 16 scales are rounded to signed bytes against the one of
     * largest magnitude (which maps to -128, clamped to 127), and the weights requantized.
     */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        var s = new KQuantizer.Scratch(BYTES);
        byte[] blk = s.block;
        byte[] levels = s.levels;
        for (int b = 0; b < n / QK; b++) {
            int xo = srcOffset + b * QK;
            float maxScale = 0;
            float maxAbs = 0;
            for (int j = 0; j < 16; j++) {
                float scale = KQuantizer.symmetricFit(16, 32, src, xo + 16 * j, levels, 16 * j);
                s.scales[j] = scale;
                if (Math.abs(scale) > maxAbs) {
                    maxAbs = Math.abs(scale);
                    maxScale = scale;
                }
            }
            if (maxAbs < KQuantizer.GROUP_MAX_EPS) {
                Arrays.fill(blk, (byte) 0);
                s.writeTo(dst, offset + (long) b * BYTES);
                continue;
            }
            float iscale = -128f / maxScale;
            float d = KQuantizer.putHalf(blk, 208, 1 / iscale);
            for (int j = 0; j < 16; j++) {
                blk[192 + j] = (byte) Math.min(127, KQuantizer.nearestInt(iscale * s.scales[j]));
            }
            for (int j = 0; j < 16; j++) {
                float dl = d * blk[192 + j];
                if (dl == 0) {
                    continue;
                }
                for (int l = 0; l < 16; l++) {
                    int i = 16 * j + l;
                    levels[i] = (byte) (KQuantizer.clamp(KQuantizer.nearestInt(src[xo + i] / dl), -32, 31) + 32);
                }
            }
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int i = 128 * h + l;
                    int q1 = levels[i];
                    int q2 = levels[i + 32];
                    int q3 = levels[i + 64];
                    int q4 = levels[i + 96];
                    blk[64 * h + l] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                    blk[64 * h + 32 + l] = (byte) ((q2 & 0xF) | (q4 & 0xF) << 4);
                    blk[128 + 32 * h + l] = (byte) (q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
                }
            }
            s.writeTo(dst, offset + (long) b * BYTES);
        }
    }

    /** Signed scale {@code k} of the eight read as one little-endian long. */
    private static int scale(long scales, int k) {
        return (byte) (scales >>> 8 * k);
    }
}

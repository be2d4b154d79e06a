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

/**
 * Q6_K: 256 weights in 16 sub-blocks of 16, 210 bytes: 128 bytes of low nibbles, 64 bytes of
 * high 2-bit pairs, 16 signed 8-bit scales, fp16 d. Each half of 128 weights uses 64 low-nibble
 * bytes, 32 high-bit bytes and 8 scales: for l in 0..31, low byte l feeds weights l (low nibble)
 * and l+64 (high nibble), low byte l+32 feeds l+32 and l+96, and high byte l gives those four
 * weights their top two bits in bits 0-1, 2-3, 4-5, 6-7. Weight = (d*scale)*(q - 32).
 */
public final class Q6_K implements TypeKernel {

    private static final int BYTES = 210;

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

    /**
     * The 6-bit weights as stored (0..63) times the 8-bit activations in 16-bit lanes, one float
     * multiply-add per sub-block of 16; the offset of 32 comes off once at the end through the
     * activations' sums, as llama.cpp does. Each block starts with its header: the sixteen scales
     * times d times the activations' scale go to {@code scratch}. Then each half block is read in
     * the order of its bytes: 32 low-nibble bytes, the 32 after them, and the 32 high-bit bytes
     * that give weights l, l+32, l+64, l+96 of the half (sub-blocks s, s+2, s+4, s+6) their top
     * bits.
     *
     * <p>The header and the products share one pass over the row: a separate pass for the
     * headers took 1.16-1.28 times as long from memory (BENCHMARKS.md). The loop body is written
     * out with Vector API calls only (see {@link Int8Simd}).
     */
    @Override
    public float dot(MemorySegment src, long offset, Q8Activations x, int xOffset, int n, float[] scratch) {
        short[] v = x.values();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        int xb = xOffset / QK;
        int xs = xOffset / 16;
        FloatVector offsets = FloatVector.zero(Int8Simd.F);
        FloatVector lowAcc = FloatVector.zero(Int8Simd.F);
        FloatVector highAcc = FloatVector.zero(Int8Simd.F);
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            FloatVector d = FloatVector.broadcast(Int8Simd.F, half(src, blk + 208) * xd[xb + b]);
            ByteVector scales = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, src, blk + 192, Simd.LE);
            int sumsAt = xs + 16 * b;
            // The part of a widening must be a constant when C2 compiles it, hence no loop here.
            FloatVector s0 = ((FloatVector) scales.convertShape(VectorOperators.B2F, Int8Simd.F, 0)).mul(d);
            s0.intoArray(scratch, 0);
            offsets = s0.fma((FloatVector) IntVector.fromArray(Int8Simd.I, sums, sumsAt).convert(VectorOperators.I2F, 0), offsets);
            FloatVector s1 = ((FloatVector) scales.convertShape(VectorOperators.B2F, Int8Simd.F, 1)).mul(d);
            s1.intoArray(scratch, Int8Simd.FL);
            offsets = s1.fma((FloatVector) IntVector.fromArray(Int8Simd.I, sums, sumsAt + Int8Simd.FL).convert(VectorOperators.I2F, 0), offsets);
            if (Int8Simd.FL < 8) {
                FloatVector s2 = ((FloatVector) scales.convertShape(VectorOperators.B2F, Int8Simd.F, 2)).mul(d);
                s2.intoArray(scratch, 8);
                offsets = s2.fma((FloatVector) IntVector.fromArray(Int8Simd.I, sums, sumsAt + 8).convert(VectorOperators.I2F, 0), offsets);
                FloatVector s3 = ((FloatVector) scales.convertShape(VectorOperators.B2F, Int8Simd.F, 3)).mul(d);
                s3.intoArray(scratch, 12);
                offsets = s3.fma((FloatVector) IntVector.fromArray(Int8Simd.I, sums, sumsAt + 12).convert(VectorOperators.I2F, 0), offsets);
            }
            for (int h = 0; h < 2; h++) {
                long ql = blk + 64 * h;
                long qh = blk + 128 + 32 * h;
                int xi = xOffset + QK * b + 128 * h;
                for (int p = 0; p < 32; p += Int8Simd.SL) {
                    int s = 8 * h + p / 16;
                    ShortVector a = (ShortVector) ByteVector.fromMemorySegment(Int8Simd.B, src, ql + p, Simd.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, Int8Simd.S, 0);
                    ShortVector c = (ShortVector) ByteVector.fromMemorySegment(Int8Simd.B, src, ql + 32 + p, Simd.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, Int8Simd.S, 0);
                    ShortVector top = (ShortVector) ByteVector.fromMemorySegment(Int8Simd.B, src, qh + p, Simd.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, Int8Simd.S, 0);
                    ShortVector w0 = a.and((short) 0xF).or(top.lanewise(VectorOperators.LSHL, 4).and((short) 0x30));
                    ShortVector w2 = c.and((short) 0xF).or(top.lanewise(VectorOperators.LSHL, 2).and((short) 0x30));
                    ShortVector w4 = a.lanewise(VectorOperators.LSHR, 4).or(top.and((short) 0x30));
                    ShortVector w6 = c.lanewise(VectorOperators.LSHR, 4).or(top.lanewise(VectorOperators.LSHR, 2).and((short) 0x30));
                    // Products are within +-8001, so the sum of a pair fits a short (Int8Simd.pairInts).
                    IntVector p0 = w0.mul(ShortVector.fromArray(Int8Simd.S, v, xi + p)).reinterpretAsInts();
                    IntVector p2 = w2.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 32 + p)).reinterpretAsInts();
                    IntVector p4 = w4.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 64 + p)).reinterpretAsInts();
                    IntVector p6 = w6.mul(ShortVector.fromArray(Int8Simd.S, v, xi + 96 + p)).reinterpretAsInts();
                    lowAcc = ((FloatVector) p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[s]), lowAcc);
                    highAcc = ((FloatVector) p4.add(p4.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[s + 4]), highAcc);
                    lowAcc = ((FloatVector) p2.add(p2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[s + 2]), lowAcc);
                    highAcc = ((FloatVector) p6.add(p6.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Simd.F, scratch[s + 6]), highAcc);
                }
            }
        }
        lowAcc.add(highAcc).sub(offsets.mul(32)).intoArray(scratch, 0);
        return Int8Simd.laneSum(scratch);
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

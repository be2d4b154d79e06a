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
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

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
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n) {
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
        return FloatOps.sum(f, acc);
    }

    @Override
    public boolean hasInt8Dot() {
        return true;
    }

    /**
     * Nibbles times the 8-bit activations in 16-bit lanes, one float multiply-add per sub-block.
     * A first pass over the block headers puts each sub-block's scale (d * scale * the
     * activations' scale) in {@code scratch} and takes the mins off through the activations'
     * sums, as llama.cpp does, eight sub-blocks at a time in vector lanes (done one by one, this
     * pass took as long as the products; BENCHMARKS.md); the second runs over the
     * 32-byte quant groups (two sub-blocks each) with one induction variable and no header
     * decoding, the shape C2 compiles best.
     */
    @Override
    public float dot(MemorySegment src, long offset, Q8Activations x, int xOffset, int n, float[] scratch) {
        short[] v = x.values();
        float[] xd = x.scales();
        int[] sums = x.sums();
        int xb = xOffset / QK;
        int xs = xOffset / Q8Activations.SUM_RUN;
        FloatVector offsets = FloatVector.zero(Int8Simd.F);
        for (int b = 0; b < n / QK; b++) {
            long blk = offset + (long) b * BYTES;
            float dx = xd[xb + b];
            FloatVector d = FloatVector.broadcast(Int8Simd.F, half(src, blk) * dx);
            FloatVector dmin = FloatVector.broadcast(Int8Simd.F, half(src, blk + 2) * dx);
            ByteVector scales = Int8Simd.packedBytes(scalesK4(src, blk + 4));
            ByteVector mins = Int8Simd.packedBytes(minsK4(src, blk + 4));
            // The part of a widening must be a constant when C2 compiles it, hence no loop here.
            offsets = subBlocks(scales, mins, 0, d, dmin, sums, xs + 8 * b, scratch, 8 * b, offsets);
            if (Int8Simd.FL < 8) {
                offsets = subBlocks(scales, mins, 1, d, dmin, sums, xs + 8 * b, scratch, 8 * b, offsets);
            }
        }
        FloatVector low = FloatVector.zero(Int8Simd.F);
        FloatVector high = FloatVector.zero(Int8Simd.F);
        for (int c = 0; c < n / 64; c++) {
            long q = offset + (long) (c >> 2) * BYTES + 16 + 32 * (c & 3);
            int xi = xOffset + 64 * c;
            ShortVector lowProducts = ShortVector.zero(Int8Simd.S);
            ShortVector highProducts = ShortVector.zero(Int8Simd.S);
            for (int p = 0; p < 32; p += Int8Simd.SL) {
                ShortVector w = Int8Simd.bytes(src, q + p);
                lowProducts = lowProducts.add(w.and((short) 0xF).mul(ShortVector.fromArray(Int8Simd.S, v, xi + p)));
                highProducts = highProducts.add(w.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(Int8Simd.S, v, xi + 32 + p)));
            }
            low = Int8Simd.pairSums(lowProducts).fma(FloatVector.broadcast(Int8Simd.F, scratch[2 * c]), low);
            high = Int8Simd.pairSums(highProducts).fma(FloatVector.broadcast(Int8Simd.F, scratch[2 * c + 1]), high);
        }
        low.add(high).sub(offsets).intoArray(scratch, 0);
        return Int8Simd.laneSum(scratch);
    }

    /**
     * Sub-blocks {@code part * FL ..} of one block: their scales times {@code d} into
     * {@code scratch[at..]}, and {@code offsets} plus their mins times the activations' sums
     * times {@code dmin}.
     */
    private static FloatVector subBlocks(ByteVector scales, ByteVector mins, int part, FloatVector d, FloatVector dmin,
            int[] sums, int sumsAt, float[] scratch, int at, FloatVector offsets) {
        int first = part * Int8Simd.FL;
        ((FloatVector) scales.convertShape(VectorOperators.B2F, Int8Simd.F, part)).mul(d).intoArray(scratch, at + first);
        FloatVector xsum = (FloatVector) IntVector.fromArray(Int8Simd.I, sums, sumsAt + first).convert(VectorOperators.I2F, 0);
        return ((FloatVector) mins.convertShape(VectorOperators.B2F, Int8Simd.F, part)).mul(xsum).fma(dmin, offsets);
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

package dev.jseek.tensor.types;

import static dev.jseek.tensor.types.Simd.B16;
import static dev.jseek.tensor.types.Simd.F;
import static dev.jseek.tensor.types.Simd.LE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Blocks of 32 weights in 18 bytes, laid out as Q4_0: fp16 scale d, then 16 bytes whose low
 * nibbles are weights 0-15 and high nibbles weights 16-31; but a nibble indexes a fixed
 * non-uniform table instead of being used as a number: weight = d * VALUES[nibble].
 */
public final class IQ4_NL implements TypeKernel {

    private static final int BLOCK = 32;
    private static final int BYTES = 18;
    private static final byte[] VALUES = IQ4Quantizer.VALUES;

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            int o = dstOffset + i;
            for (int j = 0; j < 16; j++) {
                int q = src.get(JAVA_BYTE, offset + 2 + j);
                dst[o + j] = d * VALUES[q & 0xF];
                dst[o + j + 16] = d * VALUES[(q >> 4) & 0xF];
            }
        }
    }

    @Override
    public float dot(MemorySegment src, long offset, float[] x, int xOffset, int n, float[] scratch) {
        // 16 table entries fill one 16-byte vector, so a lane-wise select does the lookup.
        ByteVector table = ByteVector.fromArray(B16, VALUES, 0);
        FloatVector total = FloatVector.zero(F);
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int xi = xOffset + i;
            ByteVector q = ByteVector.fromMemorySegment(B16, src, offset + 2, LE);
            ByteVector lo = q.and((byte) 0xF).selectFrom(table);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(table);
            FloatVector acc = Simd.dot16(lo, x, xi, FloatVector.zero(F));
            acc = Simd.dot16(hi, x, xi + 16, acc);
            total = acc.fma(FloatVector.broadcast(F, Simd.fp16(src, offset)), total);
        }
        total.intoArray(scratch, 0);
        return FloatOps.sumLanes(scratch, F.length());
    }

    @Override
    public float dotScalar(MemorySegment src, long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            float d = Simd.fp16(src, offset);
            int o = xOffset + i;
            for (int j = 0; j < 16; j++) {
                int q = src.get(JAVA_BYTE, offset + 2 + j);
                sum += d * VALUES[q & 0xF] * x[o + j];
                sum += d * VALUES[(q >> 4) & 0xF] * x[o + j + 16];
            }
        }
        return sum;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /**
     * As llama-quantize does it (quantize_iq4_nl, no importance matrix): the scale from
     * {@link IQ4Quantizer#fit}, stored as fp16, and each weight's nearest grid index at the
     * unrounded scale.
     */
    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, int n) {
        byte[] blk = new byte[BYTES];
        for (int i = 0; i < n; i += BLOCK, offset += BYTES) {
            int xo = srcOffset + i;
            float d = IQ4Quantizer.fit(src, xo);
            KQuantizer.putHalf(blk, 0, d);
            IQ4Quantizer.encode(src, xo, d != 0 ? 1 / d : 0f, blk, 2);
            MemorySegment.copy(blk, 0, dst, JAVA_BYTE, offset, BYTES);
        }
    }
}

package dev.jseek.tensor;

import java.util.Arrays;

/**
 * A vector of activations rounded to 8-bit integers in blocks, as llama.cpp's CPU backend rounds
 * them before multiplying with quantized weights: {@link Format#Q8_0} (blocks of 32, scale
 * amax/127 kept as fp16) for the 32-weight types, {@link Format#Q8_K} (blocks of 256, float scale)
 * for the K-quants. The integers are kept widened to 16 bits, the width the integer dot kernels
 * multiply in, with each block's scale and the sums of its integers. One instance per caller,
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

    /** Values per entry of {@link #sums()}: the sub-block of the K-quants whose mins use them. */
    public static final int SUM_RUN = 32;

    private short[] values = new short[0];
    private float[] scales = new float[0];
    private int[] sums = new int[0];

    /** Rounds {@code x[0..n)} ({@code n} a multiple of the format's block) into this holder. */
    public void quantize(Format format, float[] x, int n) {
        if (values.length < n) {
            values = new short[n];
            scales = new float[n / 32];
            sums = new int[n / SUM_RUN];
        }
        for (int b = 0; b < n / format.block; b++) {
            int at = b * format.block;
            scales[b] = format == Format.Q8_0 ? q8_0(x, at) : q8_K(x, at);
        }
        for (int s = 0; s < n / SUM_RUN; s++) {
            int sum = 0;
            for (int i = s * SUM_RUN; i < (s + 1) * SUM_RUN; i++) {
                sum += values[i];
            }
            sums[s] = sum;
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

    /** One scale per block: a value is {@code values()[i] * scales()[i / block]}. */
    public float[] scales() {
        return scales;
    }

    /** Sums of the integers over runs of {@link #SUM_RUN}. */
    public int[] sums() {
        return sums;
    }

    /** ggml-cpu's quantize_row_q8_0 (x86): scale amax/127 stored as fp16, values x * 127/amax rounded half to even. */
    private float q8_0(float[] x, int at) {
        float amax = 0;
        for (int i = 0; i < 32; i++) {
            amax = Math.max(amax, Math.abs(x[at + i]));
        }
        float id = amax != 0 ? 127f / amax : 0f;
        for (int i = 0; i < 32; i++) {
            values[at + i] = (short) Math.rint(x[at + i] * id);
        }
        return Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
    }

    /** ggml's quantize_row_q8_K: scale -127/max of the signed extreme, values rounded half to even, at most 127. */
    private float q8_K(float[] x, int at) {
        float max = FloatOps.signedExtreme(x, at, 256);
        if (max == 0) {
            Arrays.fill(values, at, at + 256, (short) 0);
            return 0;
        }
        float iscale = -127f / max;
        for (int i = 0; i < 256; i++) {
            values[at + i] = (short) Math.min(127, (int) Math.rint(iscale * x[at + i]));
        }
        return 1 / iscale;
    }
}

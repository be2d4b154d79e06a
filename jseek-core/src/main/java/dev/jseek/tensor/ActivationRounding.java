package dev.jseek.tensor;

/**
 * llama.cpp's CPU backend does not multiply quantized weights with float activations: it first
 * rounds the activations to the weight type's partner format (8-bit blocks of 32 with an fp16
 * scale for the 32-weight types, 8-bit blocks of 256 with a float scale for the K-quants and
 * IQ4_XS, fp16 or bf16 for those weights) and multiplies integers. Rounding the activations the
 * same way and then multiplying in float reproduces its results (the "act8" mode of the test
 * data); the engine's default is exact float math on the weights.
 */
public final class ActivationRounding {

    private enum Partner { NONE, F16, BF16, Q8_0, Q8_K }

    private float[] buffer = new float[0];

    /** The activations a product with {@code weights} sees: {@code x} itself, or a rounded copy. */
    float[] apply(GgmlType weights, float[] x, int n) {
        Partner p = partnerOf(weights);
        if (p == Partner.NONE) {
            return x;
        }
        if (buffer.length < n) {
            buffer = new float[n];
        }
        switch (p) {
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    buffer[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    buffer[i] = bf16(x[i]);
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < n; b += 32) {
                    q8_0(x, b, buffer);
                }
            }
            case Q8_K -> {
                for (int b = 0; b < n; b += 256) {
                    q8_K(x, b, buffer);
                }
            }
            default -> throw new IllegalStateException();
        }
        return buffer;
    }

    private static Partner partnerOf(GgmlType t) {
        return switch (t) {
            case F16 -> Partner.F16;
            case BF16 -> Partner.BF16;
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL -> Partner.Q8_0;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS -> Partner.Q8_K;
            default -> Partner.NONE;
        };
    }

    /** Round to nearest even bf16, as ggml's conversion (NaN kept quiet). */
    private static float bf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return Float.intBitsToFloat((bits | 0x00400000) & 0xffff0000);
        }
        bits += 0x7fff + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(bits & 0xffff0000);
    }

    /** ggml-cpu's quantize_row_q8_0 (x86): scale amax/127 stored as fp16, values x * 127/amax rounded half to even. */
    private static void q8_0(float[] x, int at, float[] out) {
        float amax = 0;
        for (int i = 0; i < 32; i++) {
            amax = Math.max(amax, Math.abs(x[at + i]));
        }
        float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        float id = amax != 0 ? 127f / amax : 0f;
        for (int i = 0; i < 32; i++) {
            out[at + i] = (float) Math.rint(x[at + i] * id) * d;
        }
    }

    /** ggml's quantize_row_q8_K: scale -127/max of the signed extreme, values rounded half to even, at most 127. */
    private static void q8_K(float[] x, int at, float[] out) {
        float amax = 0;
        float max = 0;
        for (int i = 0; i < 256; i++) {
            float a = Math.abs(x[at + i]);
            if (a > amax) {
                amax = a;
                max = x[at + i];
            }
        }
        if (amax == 0) {
            java.util.Arrays.fill(out, at, at + 256, 0f);
            return;
        }
        float iscale = -127f / max;
        float d = 1 / iscale;
        for (int i = 0; i < 256; i++) {
            out[at + i] = Math.min(127, (int) Math.rint(iscale * x[at + i])) * d;
        }
    }
}

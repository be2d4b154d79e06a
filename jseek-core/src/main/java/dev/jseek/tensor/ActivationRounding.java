package dev.jseek.tensor;

/**
 * llama.cpp's CPU backend does not multiply quantized weights with float activations: it first
 * rounds the activations to the weight type's partner format (8-bit blocks of 32 with an fp16
 * scale for the 32-weight types, 8-bit blocks of 256 with a float scale for the K-quants and
 * IQ4_XS, fp16 or bf16 for those weights) and multiplies integers. Rounding the activations the
 * same way and then multiplying in float reproduces its results (the "act8" mode of the test
 * data). The CLI runs this way by default; a single vector against weights whose kernel has an
 * integer dot product ({@link TypeKernel#hasInt8Dot}) skips the float copy and goes to it
 * ({@link Q8Activations}).
 */
public final class ActivationRounding {

    /** What llama.cpp rounds activations to for a weight type; {@code blocks} for the 8-bit ones. */
    private enum Partner {
        NONE(null), F16(null), BF16(null), Q8_0(Q8Activations.Format.Q8_0), Q8_K(Q8Activations.Format.Q8_K);

        final Q8Activations.Format blocks;

        Partner(Q8Activations.Format blocks) {
            this.blocks = blocks;
        }
    }

    private float[] buffer = new float[0];
    private final Q8Activations q8 = new Q8Activations();

    /**
     * The activations {@code x[0..n)} a product with {@code weights} sees: {@code x} itself, or a
     * rounded copy in this instance's buffer (valid until its next call).
     */
    public float[] apply(GgmlType weights, float[] x, int n) {
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
            default -> {
                q8.round(p.blocks, x, n);
                q8.expand(p.blocks, n, buffer);
            }
        }
        return buffer;
    }

    /** The 8-bit blocks llama.cpp pairs with {@code weights}, or null when it pairs them with floats. */
    static Q8Activations.Format int8Partner(GgmlType weights) {
        return partnerOf(weights).blocks;
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
}

package dev.jseek.model;

/**
 * Rotary position embedding as ggml computes it: the normal layout rotates adjacent pairs
 * (llama, deepseek2), the NEOX layout pairs element i with i + dims/2 (qwen2, qwen3). Frequency
 * factors (llama 3's rope_freqs), linear scaling and YaRN are folded into the per-pair angles.
 */
public final class Rope {

    public enum Layout { NORMAL, NEOX }

    private final Layout layout;
    private final int dims;
    /** Base angle per pair before the position is applied, with frequency factors divided in. */
    private final double[] thetaBase;
    private final float freqScale;
    private final float extFactor;
    private final float attnFactor;
    private final float[] corrDims;

    /**
     * @param freqScale   1 / linear scaling factor (1 when unscaled)
     * @param extFactor   YaRN extrapolation mix (0 = no YaRN)
     * @param attnFactor  YaRN magnitude correction applied to cos and sin
     * @param freqFactors divisors of each pair's frequency, or null
     */
    public Rope(Layout layout, int dims, float base, float freqScale, float extFactor, float attnFactor,
                float betaFast, float betaSlow, int originalContext, float[] freqFactors) {
        if (dims % 2 != 0) {
            throw new ModelException("RoPE dimension count " + dims + " is odd");
        }
        if (freqFactors != null && freqFactors.length < dims / 2) {
            throw new ModelException("rope_freqs has " + freqFactors.length + " factors for " + dims / 2 + " pairs");
        }
        this.layout = layout;
        this.dims = dims;
        this.freqScale = freqScale;
        this.extFactor = extFactor;
        this.attnFactor = attnFactor;
        this.thetaBase = new double[dims / 2];
        for (int i = 0; i < dims / 2; i++) {
            double theta = Math.pow(base, -2.0 * i / dims);
            thetaBase[i] = freqFactors == null ? theta : theta / freqFactors[i];
        }
        this.corrDims = yarnCorrectionDims(dims, originalContext, base, betaFast, betaSlow);
    }

    /** Rotates the first {@code dims} elements of each of {@code heads} vectors of {@code headSize} at {@code x[offset..]}. */
    public void apply(float[] x, int offset, int heads, int headSize, int position) {
        for (int i = 0; i < dims / 2; i++) {
            double thetaExtrap = position * thetaBase[i];
            double thetaInterp = freqScale * thetaExtrap;
            double theta = thetaInterp;
            double mscale = attnFactor;
            if (extFactor != 0) {
                double mix = ramp(corrDims[0], corrDims[1], 2 * i) * extFactor;
                theta = thetaInterp * (1 - mix) + thetaExtrap * mix;
                mscale *= 1.0 + 0.1 * Math.log(1.0 / freqScale);
            }
            float cos = (float) (Math.cos(theta) * mscale);
            float sin = (float) (Math.sin(theta) * mscale);
            int a = layout == Layout.NORMAL ? 2 * i : i;
            int b = layout == Layout.NORMAL ? 2 * i + 1 : i + dims / 2;
            for (int h = 0; h < heads; h++) {
                int base = offset + h * headSize;
                float x0 = x[base + a];
                float x1 = x[base + b];
                x[base + a] = x0 * cos - x1 * sin;
                x[base + b] = x0 * sin + x1 * cos;
            }
        }
    }

    private static double ramp(float low, float high, int i0) {
        double y = (i0 / 2.0 - low) / Math.max(0.001f, high - low);
        return 1.0 - Math.min(1.0, Math.max(0.0, y));
    }

    /** The pair range YaRN blends between interpolation and extrapolation (ggml's corr_dims). */
    private static float[] yarnCorrectionDims(int dims, int originalContext, float base, float betaFast, float betaSlow) {
        float start = (float) Math.floor(correctionDim(dims, originalContext, betaFast, base));
        float end = (float) Math.ceil(correctionDim(dims, originalContext, betaSlow, base));
        return new float[] {Math.max(0, start), Math.min(dims - 1, end)};
    }

    private static double correctionDim(int dims, int originalContext, float rotations, float base) {
        return dims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }
}

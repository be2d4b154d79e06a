package dev.jseek.sample;

/**
 * Divides logits by the temperature. Probabilities already computed by an earlier step are
 * raised to the power 1/t and renormalised, which is the same thing.
 */
public final class Temperature implements SamplerStep {

    private final float t;

    public Temperature(float t) {
        if (!(t > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + t + " (use greedy for 0)");
        }
        this.t = t;
    }

    @Override
    public void apply(Candidates c) {
        if (c.probabilities) {
            for (int i = 0; i < c.size; i++) {
                c.logits[i] = (float) Math.pow(c.logits[i], 1.0 / t);
            }
            TopP.renormalise(c);
        } else {
            for (int i = 0; i < c.size; i++) {
                c.logits[i] /= t;
            }
        }
    }
}

package dev.jseek.sample;

/** Drops tokens less likely than {@code p} times the most likely one. */
public final class MinP implements SamplerStep {

    private final float p;

    public MinP(float p) {
        this.p = p;
    }

    @Override
    public void apply(Candidates c) {
        if (p <= 0f) {
            return;
        }
        c.sort();
        c.softmax();
        float threshold = c.logits[0] * p;
        int keep = 1;
        while (keep < c.size && c.logits[keep] >= threshold) {
            keep++;
        }
        c.size = keep;
        TopP.renormalise(c);
    }
}

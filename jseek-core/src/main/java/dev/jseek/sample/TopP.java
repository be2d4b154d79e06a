package dev.jseek.sample;

/** Keeps the smallest set of most likely tokens whose probabilities add up to at least {@code p}. */
public final class TopP implements SamplerStep {

    private final float p;

    public TopP(float p) {
        this.p = p;
    }

    @Override
    public void apply(Candidates c) {
        if (p >= 1f) {
            return;
        }
        c.sort();
        c.softmax();
        double sum = 0;
        for (int i = 0; i < c.size; i++) {
            sum += c.logits[i];
            if (sum >= p) {
                c.size = i + 1;
                break;
            }
        }
        c.probabilities = false; // no longer normalised over what is left
        renormalise(c);
    }

    static void renormalise(Candidates c) {
        double sum = 0;
        for (int i = 0; i < c.size; i++) {
            sum += c.logits[i];
        }
        for (int i = 0; i < c.size; i++) {
            c.logits[i] = (float) (c.logits[i] / sum);
        }
        c.probabilities = true;
    }
}

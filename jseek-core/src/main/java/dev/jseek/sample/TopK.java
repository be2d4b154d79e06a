package dev.jseek.sample;

/** Keeps the {@code k} most likely tokens (k <= 0 keeps all). */
public final class TopK implements SamplerStep {

    private final int k;

    public TopK(int k) {
        this.k = k;
    }

    @Override
    public void apply(Candidates c) {
        if (k > 0) {
            c.keepTop(Math.max(1, k));
        }
    }
}

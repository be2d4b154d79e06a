package dev.jseek.sample;

import java.util.Arrays;

/**
 * Repetition, presence and frequency penalties over the last {@code window} tokens, as llama.cpp
 * applies them: a repeated token's logit is divided by the repetition penalty when positive
 * (multiplied when negative), then lowered by {@code frequency * count + presence}.
 */
public final class Penalties implements SamplerStep {

    private final int window;
    private final float repeat;
    private final float frequency;
    private final float presence;
    private final int[] recent;
    private int seen;
    /** Occurrences of each token id in the window. */
    private final int[] counts;
    private int distinct;

    public Penalties(int vocabSize, int window, float repeat, float frequency, float presence) {
        this.counts = new int[vocabSize];
        this.window = Math.max(0, window);
        this.repeat = repeat;
        this.frequency = frequency;
        this.presence = presence;
        this.recent = new int[Math.max(1, this.window)];
    }

    @Override
    public void accept(int token) {
        if (window == 0 || token < 0 || token >= counts.length) {
            return;
        }
        int slot = seen % window;
        if (seen >= window && --counts[recent[slot]] == 0) {
            distinct--;
        }
        recent[slot] = token;
        if (counts[token]++ == 0) {
            distinct++;
        }
        seen++;
    }

    @Override
    public void reset() {
        seen = 0;
        distinct = 0;
        Arrays.fill(counts, 0);
    }

    @Override
    public void apply(Candidates c) {
        if (distinct == 0 || (repeat == 1f && frequency == 0f && presence == 0f)) {
            return;
        }
        for (int i = 0; i < c.size; i++) {
            int n = counts[c.ids[i]];
            if (n == 0) {
                continue;
            }
            float v = c.logits[i];
            v = v > 0 ? v / repeat : v * repeat;
            c.logits[i] = v - n * frequency - presence;
        }
        c.sorted = false;
    }
}

package dev.jseek.sample;

import java.util.Map;

/** Adds a fixed bias to chosen tokens' logits ({@code -inf} bans a token). */
public final class LogitBias implements SamplerStep {

    private final int[] ids;
    private final float[] biases;

    public LogitBias(Map<Integer, Float> bias) {
        ids = bias.keySet().stream().mapToInt(Integer::intValue).toArray();
        biases = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            biases[i] = bias.get(ids[i]);
        }
    }

    @Override
    public void apply(Candidates c) {
        // Runs first in the chain, while candidate i is still token i.
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= 0 && ids[i] < c.size && c.ids[ids[i]] == ids[i]) {
                c.logits[ids[i]] += biases[i];
            }
        }
        c.sorted = false;
    }
}

package dev.jseek.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A sampler chain in llama.cpp's order: logit bias, penalties, top-k, top-p, min-p,
 * temperature, then a seeded draw (or the argmax when greedy). One per sequence.
 */
public final class Sampler {

    private final List<SamplerStep> steps = new ArrayList<>();
    private final Candidates candidates;
    private final boolean greedy;
    private final long seed;
    private SplittableRandom random;

    public Sampler(SamplingParams p, int vocabSize, int contextSize) {
        this.candidates = new Candidates(vocabSize);
        this.greedy = p.isGreedy();
        this.seed = p.seed();
        this.random = new SplittableRandom(seed);
        if (!p.logitBias().isEmpty()) {
            steps.add(new LogitBias(p.logitBias()));
        }
        int window = p.repeatLastN() < 0 ? contextSize : p.repeatLastN();
        if (window > 0 && (p.repeatPenalty() != 1f || p.presencePenalty() != 0f || p.frequencyPenalty() != 0f)) {
            steps.add(new Penalties(vocabSize, window, p.repeatPenalty(), p.frequencyPenalty(), p.presencePenalty()));
        }
        if (!greedy) {
            steps.add(new TopK(p.topK()));
            steps.add(new TopP(p.topP()));
            steps.add(new MinP(p.minP()));
            steps.add(new Temperature(p.temperature()));
        }
    }

    /** Tells the chain a token the sequence took (prompt tokens too), for the penalties. */
    public void accept(int token) {
        for (SamplerStep s : steps) {
            s.accept(token);
        }
    }

    /** Starts a new sequence: forgets seen tokens and restarts the random draw from the seed. */
    public void reset() {
        for (SamplerStep s : steps) {
            s.reset();
        }
        random = new SplittableRandom(seed);
    }

    /** Picks the next token from a row of logits (the row is not modified). */
    public int sample(float[] logits) {
        Candidates c = candidates;
        c.reset(logits);
        for (SamplerStep s : steps) {
            s.apply(c);
        }
        if (greedy) {
            int best = 0;
            for (int i = 1; i < c.size; i++) {
                if (c.logits[i] > c.logits[best] || (c.logits[i] == c.logits[best] && c.ids[i] < c.ids[best])) {
                    best = i;
                }
            }
            return c.ids[best];
        }
        c.softmax();
        double r = random.nextDouble();
        double sum = 0;
        for (int i = 0; i < c.size; i++) {
            sum += c.logits[i];
            if (r < sum) {
                return c.ids[i];
            }
        }
        return c.ids[c.size - 1];
    }
}

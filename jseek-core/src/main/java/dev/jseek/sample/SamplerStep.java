package dev.jseek.sample;

/** One step of a sampler chain: narrows or reshapes the candidates. */
public interface SamplerStep {

    void apply(Candidates c);

    /** Told every token the sequence takes (prompt and generated), for steps with memory. */
    default void accept(int token) {
    }

    /** Forgets the sequence, for steps with memory. */
    default void reset() {
    }
}

package dev.jseek.tensor;

/** One participant's share of a {@link WorkerPool#parallelFor} loop. */
@FunctionalInterface
public interface RangeTask {

    /**
     * Handles indices {@code [from, to)}. {@code worker} is the participant's number in
     * {@code [0, pool.threads())}, stable for the pool's life, so it can pick a per-thread buffer.
     */
    void run(int worker, int from, int to);
}

package dev.jseek.model;

import java.util.HashMap;
import java.util.Map;

/**
 * Scratch buffers shared by all blocks of one model: blocks run one after another, so a buffer
 * with the same role and size serves every layer instead of one copy per layer.
 */
final class Workspace {

    private final Map<String, float[]> floats = new HashMap<>();
    private final Map<String, float[][]> perWorker = new HashMap<>();

    /** The buffer for {@code role} of exactly {@code size} floats. */
    float[] floats(String role, int size) {
        return floats.computeIfAbsent(role + ":" + size, k -> new float[size]);
    }

    /** One buffer of {@code size} floats per worker thread. */
    float[][] perWorker(String role, int workers, int size) {
        return perWorker.computeIfAbsent(role + ":" + workers + "x" + size, k -> new float[workers][size]);
    }
}

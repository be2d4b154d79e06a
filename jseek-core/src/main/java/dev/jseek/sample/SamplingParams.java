package dev.jseek.sample;

import java.util.Map;

/**
 * How to pick each next token. A temperature of 0 means greedy (the most likely token).
 *
 * @param repeatLastN tokens the penalties look back over (0 = none, -1 = the whole context)
 * @param seed        seed of the random draw: the same seed gives the same tokens
 */
public record SamplingParams(float temperature, int topK, float topP, float minP,
                             float repeatPenalty, int repeatLastN, float presencePenalty, float frequencyPenalty,
                             long seed, Map<Integer, Float> logitBias) {

    /** llama.cpp's defaults. */
    public static SamplingParams defaults() {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1f, 64, 0f, 0f, 42, Map.of());
    }

    /** DeepSeek's advice for R1 and its distills: temperature 0.6, top-p 0.95. */
    public static SamplingParams reasoningDefaults() {
        return new SamplingParams(0.6f, 0, 0.95f, 0f, 1f, 64, 0f, 0f, 42, Map.of());
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 0, 0f, 0f, 0, Map.of());
    }

    public boolean isGreedy() {
        return temperature <= 0f;
    }
}

package dev.jseek.cli;

import dev.jseek.sample.SamplingParams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Sampling flags; unset ones take the model family's defaults (DeepSeek's advice for R1-style models). */
final class SamplingOptions {

    @Option(names = "--temp", paramLabel = "T", description = "Temperature; 0 = greedy (default 0.6 for R1-style models, else 0.8).")
    Float temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens; 0 = all (default 40, R1: 0).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling threshold (default 0.95).")
    Float topP;

    @Option(names = "--min-p", paramLabel = "P", description = "Drop tokens below P times the best one (default 0.05, R1: 0).")
    Float minP;

    @Option(names = "--repeat-penalty", paramLabel = "X", description = "Repetition penalty (default 1.0 = off).")
    Float repeatPenalty;

    @Option(names = "--repeat-last-n", paramLabel = "N", description = "Tokens the penalties look back over (default 64, -1 = context).")
    Integer repeatLastN;

    @Option(names = "--presence-penalty", paramLabel = "X", description = "Presence penalty (default 0).")
    Float presencePenalty;

    @Option(names = "--frequency-penalty", paramLabel = "X", description = "Frequency penalty (default 0).")
    Float frequencyPenalty;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed; the same seed gives the same output (default 42).")
    Long seed;

    @Option(names = "--logit-bias", paramLabel = "ID=BIAS", description = "Add BIAS to token ID's logit (repeatable; -inf bans).")
    List<String> logitBias = new ArrayList<>();

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when TEXT is generated (repeatable).")
    List<String> stop = new ArrayList<>();

    SamplingParams params(boolean reasoningModel) {
        SamplingParams d = reasoningModel ? SamplingParams.reasoningDefaults() : SamplingParams.defaults();
        float t = temperature != null ? temperature : d.temperature();
        if (t < 0 || Float.isNaN(t)) {
            throw new Cli.UserError("--temp must be 0 or more, not " + t);
        }
        float p = topP != null ? topP : d.topP();
        if (!(p > 0 && p <= 1)) {
            throw new Cli.UserError("--top-p must be in (0, 1], not " + p);
        }
        return new SamplingParams(t, topK != null ? topK : d.topK(), p, minP != null ? minP : d.minP(),
                repeatPenalty != null ? repeatPenalty : d.repeatPenalty(), repeatLastN != null ? repeatLastN : d.repeatLastN(),
                presencePenalty != null ? presencePenalty : d.presencePenalty(),
                frequencyPenalty != null ? frequencyPenalty : d.frequencyPenalty(),
                seed != null ? seed : d.seed(), biases());
    }

    private Map<Integer, Float> biases() {
        Map<Integer, Float> out = new LinkedHashMap<>();
        for (String b : logitBias) {
            int eq = b.indexOf('=');
            try {
                String value = b.substring(eq + 1).trim();
                float bias = value.equalsIgnoreCase("-inf") ? Float.NEGATIVE_INFINITY : Float.parseFloat(value);
                out.put(Integer.parseInt(b.substring(0, eq).trim()), bias);
            } catch (RuntimeException e) {
                throw new Cli.UserError("--logit-bias expects ID=BIAS (e.g. 13=-inf), not '" + b + "'");
            }
        }
        return out;
    }
}

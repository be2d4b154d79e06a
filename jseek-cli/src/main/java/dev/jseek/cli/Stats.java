package dev.jseek.cli;

import dev.jseek.engine.Generator;

/** The speed line printed after a reply. */
final class Stats {

    private Stats() {
    }

    static String line(Generator.Result r) {
        int evaluated = r.promptTokens() - r.reusedTokens();
        return String.format("[prefill %d tokens, %.1f tok/s | decode %d tokens, %.1f tok/s | %s]",
                evaluated, r.prefillTokensPerSecond(), r.ids().length, r.decodeTokensPerSecond(),
                r.stopReason().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }
}

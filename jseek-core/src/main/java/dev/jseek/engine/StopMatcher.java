package dev.jseek.engine;

import java.util.List;

/**
 * Watches generated text for stop strings. Text that could still turn into a stop string is
 * held back, so a stop string never reaches the output, not even in part.
 */
final class StopMatcher {

    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    boolean stopped() {
        return stopped;
    }

    /** Adds generated text; returns what is safe to show now. */
    String accept(String text) {
        if (stopped) {
            return "";
        }
        pending.append(text);
        int cut = Integer.MAX_VALUE;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        if (cut != Integer.MAX_VALUE) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int hold = 0;
        String tail = pending.toString();
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, tail.length()); k > hold; k--) {
                if (tail.regionMatches(tail.length() - k, s, 0, k)) {
                    hold = k;
                    break;
                }
            }
        }
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    /** The end of generation: whatever was held back is shown. */
    String finish() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }
}

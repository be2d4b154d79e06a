package dev.jseek.template;

/**
 * Separates R1-style reasoning ({@code <think>...</think>}) from the answer in generated text that
 * arrives in pieces of any size: a tag split across pieces ({@code "<th"}, {@code "ink>"}) is held
 * back until it is complete, everything else is passed on at once.
 *
 * <p>A think block is recognized only at the very start of the output (after whitespace), or is
 * already open when the prompt ended with {@code <think>} (then a repeated opening tag is
 * dropped). Reasoning is reported without the whitespace around it, and the answer after a think
 * block without its leading whitespace; once the answer has begun, tags in it are plain text.
 * Not thread-safe: one splitter per generated sequence.
 */
public final class ReasoningSplitter {

    private static final String OPEN = "<think>";
    private static final String CLOSE = "</think>";

    /** Text newly known to be reasoning and newly known to be answer; either may be empty. */
    public record Delta(String reasoning, String content) {

        public static final Delta EMPTY = new Delta("", "");

        public boolean isEmpty() {
            return reasoning.isEmpty() && content.isEmpty();
        }
    }

    private enum State {
        /** Output start: an opening tag here starts reasoning, anything else is the answer. */
        MAY_OPEN,
        /** Output start with the block already open: a repeated opening tag is dropped. */
        MAY_REPEAT_OPEN,
        THINKING,
        /** Just after the closing tag: whitespace before the answer is dropped. */
        AFTER_CLOSE,
        ANSWER
    }

    private State state;
    /** Received text whose role is not decided yet (a possible partial tag, or whitespace that may be trimmed). */
    private final StringBuilder pending = new StringBuilder();
    private boolean reasoningStarted;

    /** {@code startsInsideThink}: the prompt opened the think block, so generation begins inside it. */
    public ReasoningSplitter(boolean startsInsideThink) {
        this.state = startsInsideThink ? State.MAY_REPEAT_OPEN : State.MAY_OPEN;
    }

    /** A splitter for generation that continues {@code prompt}: inside the think block when the prompt ends by opening one. */
    public static ReasoningSplitter forPrompt(String prompt) {
        return new ReasoningSplitter(PyStrings.rstrip(prompt, null).endsWith(OPEN));
    }

    /** Splits a complete output at once. */
    public static Delta split(String output, boolean startsInsideThink) {
        ReasoningSplitter splitter = new ReasoningSplitter(startsInsideThink);
        Delta body = splitter.feed(output);
        Delta rest = splitter.finish();
        return new Delta(body.reasoning() + rest.reasoning(), body.content() + rest.content());
    }

    /** The next piece of generated text; returns what can be told apart so far. */
    public Delta feed(String piece) {
        pending.append(piece);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        while (step(reasoning, content)) {
            // each step consumes pending text or changes state; stop when it must wait for more
        }
        return delta(reasoning, content);
    }

    /** The end of generation: whatever was held back is released where it belongs. */
    public Delta finish() {
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        switch (state) {
            case MAY_OPEN, ANSWER -> content.append(pending);
            case MAY_REPEAT_OPEN, THINKING -> {
                // An unclosed think block: the held text (a partial tag, say) is reasoning too.
                String held = reasoningStarted ? pending.toString() : PyStrings.lstrip(pending.toString(), null);
                reasoning.append(PyStrings.rstrip(held, null));
            }
            case AFTER_CLOSE -> { }
        }
        pending.setLength(0);
        state = State.ANSWER;
        return delta(reasoning, content);
    }

    private static Delta delta(StringBuilder reasoning, StringBuilder content) {
        return reasoning.isEmpty() && content.isEmpty() ? Delta.EMPTY : new Delta(reasoning.toString(), content.toString());
    }

    /** One step of the state machine; false when nothing more can be decided without more text. */
    private boolean step(StringBuilder reasoning, StringBuilder content) {
        switch (state) {
            case MAY_OPEN, MAY_REPEAT_OPEN -> {
                int start = firstNonSpace();
                if (start == pending.length()) {
                    return false;
                }
                String rest = pending.substring(start);
                if (rest.startsWith(OPEN)) {
                    pending.delete(0, start + OPEN.length());
                    state = State.THINKING;
                    return true;
                }
                if (OPEN.startsWith(rest)) {
                    return false;
                }
                state = state == State.MAY_OPEN ? State.ANSWER : State.THINKING;
                return true;
            }
            case THINKING -> {
                if (!reasoningStarted) {
                    pending.delete(0, firstNonSpace());
                }
                int close = pending.indexOf(CLOSE);
                if (close >= 0) {
                    reasoning.append(PyStrings.rstrip(pending.substring(0, close), null));
                    pending.delete(0, close + CLOSE.length());
                    state = State.AFTER_CLOSE;
                    return true;
                }
                int decided = undecidedSuffixStart();
                if (decided > 0) {
                    reasoning.append(pending, 0, decided);
                    pending.delete(0, decided);
                    reasoningStarted = true;
                }
                return false;
            }
            case AFTER_CLOSE -> {
                pending.delete(0, firstNonSpace());
                if (pending.isEmpty()) {
                    return false;
                }
                state = State.ANSWER;
                return true;
            }
            case ANSWER -> {
                content.append(pending);
                pending.setLength(0);
                return false;
            }
        }
        return false;
    }

    private int firstNonSpace() {
        int i = 0;
        while (i < pending.length() && PyStrings.isSpace(pending.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * Where the text that might still turn out to be trailing whitespace before {@code </think>},
     * or the start of that tag, begins.
     */
    private int undecidedSuffixStart() {
        int n = pending.length();
        int partial = 0;
        for (int k = Math.min(n, CLOSE.length() - 1); k > 0; k--) {
            if (pending.substring(n - k).equals(CLOSE.substring(0, k))) {
                partial = k;
                break;
            }
        }
        int start = n - partial;
        while (start > 0 && PyStrings.isSpace(pending.charAt(start - 1))) {
            start--;
        }
        return start;
    }
}

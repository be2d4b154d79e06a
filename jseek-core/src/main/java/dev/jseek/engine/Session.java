package dev.jseek.engine;

import dev.jseek.model.KvCache;
import dev.jseek.model.Model;

/**
 * One sequence's state: its KV cache and the tokens the cache holds. Feeding a new prompt that
 * starts like the history (the next turn of a chat) evaluates only what differs.
 */
public final class Session {

    private final Model model;
    private final KvCache cache;
    private final int[] tokens;
    private int length;

    public Session(Model model, KvCache.Type kvType) {
        this.model = model;
        this.cache = model.newCache(kvType);
        this.tokens = new int[cache.capacity()];
    }

    public Model model() {
        return model;
    }

    /** Tokens in the cache. */
    public int length() {
        return length;
    }

    /** Positions left before the context is full. */
    public int remaining() {
        return tokens.length - length;
    }

    public void clear() {
        length = 0;
    }

    /**
     * Makes the cache hold exactly {@code prompt}, reusing the longest prefix it already holds,
     * and writes the logits of the prompt's last token. Returns how many tokens were reused.
     */
    public int prefill(int[] prompt, float[] logits) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        checkFits(prompt.length);
        int common = 0;
        while (common < length && common < prompt.length && tokens[common] == prompt[common]) {
            common++;
        }
        // The last prompt token is always evaluated: its logits pick the next token.
        common = Math.min(common, prompt.length - 1);
        length = common;
        append(prompt, common, prompt.length - common, logits);
        return common;
    }

    /** Evaluates {@code count} tokens of {@code ids} from {@code offset} after the history. */
    public void append(int[] ids, int offset, int count, float[] logits) {
        checkFits(length + count);
        model.forward(ids, offset, count, length, cache, logits, false);
        System.arraycopy(ids, offset, tokens, length, count);
        length += count;
    }

    private void checkFits(int needed) {
        if (needed > tokens.length) {
            throw new ContextFullException(needed, tokens.length);
        }
    }

    /** The sequence would run past the context size chosen at load. */
    public static final class ContextFullException extends RuntimeException {
        ContextFullException(int needed, int capacity) {
            super("context is full: " + needed + " tokens needed, the context holds " + capacity + " (raise -c)");
        }
    }
}

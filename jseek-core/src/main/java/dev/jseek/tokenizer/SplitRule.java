package dev.jseek.tokenizer;

import static dev.jseek.tokenizer.CharClass.LETTER;
import static dev.jseek.tokenizer.CharClass.MARK;
import static dev.jseek.tokenizer.CharClass.NUMBER;
import static dev.jseek.tokenizer.CharClass.PUNCTUATION;
import static dev.jseek.tokenizer.CharClass.SYMBOL;
import static dev.jseek.tokenizer.CharClass.WHITESPACE;

/**
 * One regular expression of a pre-tokenizer, written out as a scanner. Each answers "does the
 * pattern match at exactly this position, and where does the match end", with the leftmost,
 * greedy, backtracking semantics of the regex it replaces; {@link PreTokenizer} searches for the
 * leftmost match and isolates it, as a Hugging Face {@code Split} with behaviour {@code Isolated}.
 * {@code end} is the end of the piece being split: patterns cannot look beyond it.
 */
sealed interface SplitRule {

    /** The end of the match starting at {@code pos} ({@code > pos}), or -1 when none starts there. */
    int matchAt(ScanText t, int pos, int end);

    /**
     * GPT-2: {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}.
     */
    record Gpt2Words() implements SplitRule {
        @Override
        public int matchAt(ScanText t, int pos, int end) {
            int c = t.codePoints[pos];
            if (c == '\'') {
                int contraction = contraction(t, pos, end, false);
                if (contraction > 0) {
                    return contraction;
                }
            }
            int body = c == ' ' && pos + 1 < end ? pos + 1 : pos;
            byte f = t.flags[body];
            if ((f & LETTER) != 0) {
                return t.runEnd(body, end, LETTER);
            }
            if ((f & NUMBER) != 0) {
                return t.runEnd(body, end, NUMBER);
            }
            if ((f & (WHITESPACE | LETTER | NUMBER)) == 0) {
                return otherRunEnd(t, body, end);
            }
            return whitespace(t, pos, end, false);
        }
    }

    /**
     * Llama 3 ({@code maxDigits} 3) and Qwen2 ({@code maxDigits} 1):
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}|
     * ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}.
     */
    record LlamaWords(int maxDigits) implements SplitRule {
        @Override
        public int matchAt(ScanText t, int pos, int end) {
            int c = t.codePoints[pos];
            byte f = t.flags[pos];
            if (c == '\'') {
                int contraction = contraction(t, pos, end, true);
                if (contraction > 0) {
                    return contraction;
                }
            }
            if ((f & LETTER) != 0) {
                return t.runEnd(pos, end, LETTER);
            }
            if (c != '\r' && c != '\n' && (f & NUMBER) == 0 && t.is(pos + 1, end, LETTER)) {
                return t.runEnd(pos + 1, end, LETTER);
            }
            if ((f & NUMBER) != 0) {
                return Math.min(t.runEnd(pos, end, NUMBER), pos + maxDigits);
            }
            int body = c == ' ' && pos + 1 < end ? pos + 1 : pos;
            if ((t.flags[body] & (WHITESPACE | LETTER | NUMBER)) == 0) {
                return lineBreaksEnd(t, otherRunEnd(t, body, end), end);
            }
            return whitespace(t, pos, end, true);
        }
    }

    /**
     * DeepSeek-V3's word pattern (after digits and CJK are isolated):
     * {@code [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|
     * ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}.
     */
    record DeepSeekV3Words() implements SplitRule {
        @Override
        public int matchAt(ScanText t, int pos, int end) {
            int c = t.codePoints[pos];
            byte f = t.flags[pos];
            if (c < 0x80 && (f & (PUNCTUATION | SYMBOL)) != 0 && isAsciiLetter(t, pos + 1, end)) {
                int e = pos + 1;
                while (isAsciiLetter(t, e, end)) {
                    e++;
                }
                return e;
            }
            if ((f & (LETTER | MARK)) != 0) {
                return t.runEnd(pos, end, LETTER | MARK);
            }
            if (c != '\r' && c != '\n' && (f & (PUNCTUATION | SYMBOL)) == 0 && t.is(pos + 1, end, (byte) (LETTER | MARK))) {
                return t.runEnd(pos + 1, end, LETTER | MARK);
            }
            int body = c == ' ' && t.is(pos + 1, end, (byte) (PUNCTUATION | SYMBOL)) ? pos + 1 : pos;
            if ((t.flags[body] & (PUNCTUATION | SYMBOL)) != 0) {
                return lineBreaksEnd(t, t.runEnd(body, end, PUNCTUATION | SYMBOL), end);
            }
            return (f & WHITESPACE) != 0 ? whitespace(t, pos, end, true) : -1;
        }

        private static boolean isAsciiLetter(ScanText t, int pos, int end) {
            if (pos >= end) {
                return false;
            }
            int c = t.codePoints[pos];
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        }
    }

    /** {@code [set]{min,max}}, greedy. */
    record Run(CharSet set, int min, int max) implements SplitRule {
        @Override
        public int matchAt(ScanText t, int pos, int end) {
            int e = pos;
            while (e - pos < max && set.contains(t, e, end)) {
                e++;
            }
            return e - pos >= min ? e : -1;
        }
    }

    /** {@code \s?[set]+}. */
    record OptionalSpaceThenRun(CharSet set) implements SplitRule {
        @Override
        public int matchAt(ScanText t, int pos, int end) {
            if (t.is(pos, end, WHITESPACE) && set.contains(t, pos + 1, end)) {
                return set.runEnd(t, pos + 1, end);
            }
            return set.contains(t, pos, end) ? set.runEnd(t, pos, end) : -1;
        }
    }

    /** {@code \s+$}: whitespace that runs to the end of the piece. */
    record TrailingWhitespace() implements SplitRule {
        @Override
        public int matchAt(ScanText t, int pos, int end) {
            return t.is(pos, end, WHITESPACE) && t.runEnd(pos, end, WHITESPACE) == end ? end : -1;
        }
    }

    /** {@code '(s|t|re|ve|m|ll|d)}, ASCII case-insensitive when asked; the match end or -1. */
    private static int contraction(ScanText t, int pos, int end, boolean ignoreCase) {
        int a = pos + 1 < end ? t.codePoints[pos + 1] : -1;
        int b = pos + 2 < end ? t.codePoints[pos + 2] : -1;
        if (ignoreCase) {
            a = asciiLower(a);
            b = asciiLower(b);
        }
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return pos + 2;
        }
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
            return pos + 3;
        }
        return -1;
    }

    private static int asciiLower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /** End of the run of {@code [^\s\p{L}\p{N}]} from {@code pos}. */
    private static int otherRunEnd(ScanText t, int pos, int end) {
        while (pos < end && (t.flags[pos] & (WHITESPACE | LETTER | NUMBER)) == 0) {
            pos++;
        }
        return pos;
    }

    /** {@code [\r\n]*} after {@code pos}. */
    private static int lineBreaksEnd(ScanText t, int pos, int end) {
        while (t.isLineBreak(pos, end)) {
            pos++;
        }
        return pos;
    }

    /**
     * The whitespace alternatives at {@code pos}: {@code \s*[\r\n]+} when {@code lineBreaks}
     * (ends after the run's last line break), then {@code \s+(?!\S)} (the run, less its last
     * character when a non-space follows), then {@code \s+}; -1 when {@code pos} is no space.
     */
    private static int whitespace(ScanText t, int pos, int end, boolean lineBreaks) {
        int e = t.runEnd(pos, end, WHITESPACE);
        if (e == pos) {
            return -1;
        }
        if (lineBreaks) {
            for (int i = e - 1; i >= pos; i--) {
                if (t.isLineBreak(i, end)) {
                    return i + 1;
                }
            }
        }
        return e < end && e - pos > 1 ? e - 1 : e;
    }
}

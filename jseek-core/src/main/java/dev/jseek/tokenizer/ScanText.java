package dev.jseek.tokenizer;

/**
 * A piece of text as code points with their {@link CharClass} flags, the form the split rules
 * scan. Buffers are reused from one piece to the next.
 */
final class ScanText {

    int[] codePoints = new int[64];
    byte[] flags = new byte[64];
    int length;

    /** Loads {@code text}; lone surrogates become U+FFFD, as a UTF-8 encoder would write them. */
    void load(String text) {
        int n = text.length();
        if (codePoints.length < n) {
            codePoints = new int[n];
            flags = new byte[n];
        }
        int count = 0;
        for (int i = 0; i < n; ) {
            char c = text.charAt(i++);
            int cp = c;
            if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(text.charAt(i))) {
                cp = Character.toCodePoint(c, text.charAt(i++));
            } else if (Character.isSurrogate(c)) {
                cp = 0xFFFD;
            }
            codePoints[count] = cp;
            flags[count] = CharClass.of(cp);
            count++;
        }
        length = count;
    }

    boolean is(int pos, int end, byte mask) {
        return pos < end && (flags[pos] & mask) != 0;
    }

    boolean isLineBreak(int pos, int end) {
        return pos < end && (codePoints[pos] == '\r' || codePoints[pos] == '\n');
    }

    /** The end of the run of code points from {@code pos} whose flags meet {@code mask}. */
    int runEnd(int pos, int end, int mask) {
        while (pos < end && (flags[pos] & mask) != 0) {
            pos++;
        }
        return pos;
    }
}

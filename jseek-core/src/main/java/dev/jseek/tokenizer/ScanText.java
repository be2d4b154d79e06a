package dev.jseek.tokenizer;

/**
 * A piece of text as code points with their {@link CharClass} flags, the form the split rules
 * scan. Buffers are reused from one piece to the next.
 */
final class ScanText {

    int[] codePoints = new int[64];
    byte[] flags = new byte[64];
    int length;
    private char[] chars = new char[64];

    /** Loads {@code text}; lone surrogates become U+FFFD, as a UTF-8 encoder would write them. */
    void load(String text) {
        int n = text.length();
        if (codePoints.length < n) {
            codePoints = new int[n];
            flags = new byte[n];
            chars = new char[n];
        }
        text.getChars(0, n, chars, 0);
        int count = 0;
        for (int i = 0; i < n; ) {
            char c = chars[i++];
            int cp = c;
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(chars[i])) {
                    cp = Character.toCodePoint(c, chars[i++]);
                } else {
                    cp = 0xFFFD;
                }
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

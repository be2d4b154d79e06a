package dev.jseek.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns generated tokens into text as they arrive. A token may end inside a multi-byte UTF-8
 * character (byte-level BPE splits rare characters into byte tokens); those bytes are held until
 * the character is complete, so no broken character is ever emitted. Not thread-safe: one per
 * generation.
 */
public final class StreamingDecoder {

    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private byte[] pending = new byte[16];
    private int pendingLength;

    StreamingDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /** Adds a token; returns the text it completes (possibly empty). */
    public String accept(int id) {
        byte[] piece = tokenizer.pieceView(id, renderSpecial);
        if (pendingLength + piece.length > pending.length) {
            pending = java.util.Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + piece.length));
        }
        System.arraycopy(piece, 0, pending, pendingLength, piece.length);
        pendingLength += piece.length;
        int complete = completeLength(pending, pendingLength);
        String text = decode(complete);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /** Ends the stream: bytes of an unfinished character come out as U+FFFD. */
    public String finish() {
        String text = decode(pendingLength);
        pendingLength = 0;
        return text;
    }

    private String decode(int length) {
        if (length == 0) {
            return "";
        }
        try {
            CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(pending, 0, length));
            return chars.toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("UTF-8 decoding with replacement cannot fail", e);
        }
    }

    /**
     * The length of the prefix of {@code bytes[0..n)} that holds no unfinished character: a
     * trailing lead byte with fewer continuation bytes after it than it announces is held back.
     */
    static int completeLength(byte[] bytes, int n) {
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = bytes[n - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue;
            }
            int needed = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 1;
            return needed > back ? n - back : n;
        }
        return n;
    }
}

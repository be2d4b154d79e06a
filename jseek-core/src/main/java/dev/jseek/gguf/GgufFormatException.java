package dev.jseek.gguf;

/** A GGUF file that cannot be read, with the byte offset where the problem was found. */
public final class GgufFormatException extends RuntimeException {

    private final long offset;

    public GgufFormatException(String source, long offset, String problem) {
        super(source + ": " + problem + " (at byte " + offset + ")");
        this.offset = offset;
    }

    /** Byte offset in the file where the problem was found. */
    public long offset() {
        return offset;
    }
}

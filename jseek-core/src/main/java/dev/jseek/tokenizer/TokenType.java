package dev.jseek.tokenizer;

/** The token types of {@code tokenizer.ggml.token_type}, with their GGUF numbers. */
public enum TokenType {
    UNDEFINED,
    NORMAL,
    UNKNOWN,
    CONTROL,
    USER_DEFINED,
    UNUSED,
    BYTE;

    static TokenType fromGguf(int value) {
        return value >= 0 && value < values().length ? values()[value] : UNDEFINED;
    }
}

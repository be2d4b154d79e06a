package dev.jseek.tokenizer;

/** A vocabulary that cannot be used, or input the tokenizer cannot take; the message says which. */
public final class TokenizerException extends RuntimeException {

    public TokenizerException(String message) {
        super(message);
    }
}

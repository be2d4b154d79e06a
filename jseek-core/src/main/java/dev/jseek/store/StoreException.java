package dev.jseek.store;

/** A model that cannot be named, found, fetched or stored; the message says what to do about it. */
public final class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

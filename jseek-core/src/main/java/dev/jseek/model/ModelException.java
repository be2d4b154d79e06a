package dev.jseek.model;

/** A model file that jseek cannot run as it is (missing tensor, wrong shape, unknown architecture). */
public final class ModelException extends RuntimeException {

    public ModelException(String message) {
        super(message);
    }
}

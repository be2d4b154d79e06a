package dev.jseek.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** While open, Ctrl-C sets a flag (stopping the current reply) instead of ending the program. */
final class Interrupts implements AutoCloseable {

    private final SignalHandler previous;

    private Interrupts(SignalHandler previous) {
        this.previous = previous;
    }

    static Interrupts cancelling(AtomicBoolean flag) {
        try {
            return new Interrupts(Signal.handle(new Signal("INT"), s -> flag.set(true)));
        } catch (IllegalArgumentException e) {
            return new Interrupts(null); // no SIGINT on this platform: Ctrl-C keeps its default
        }
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(new Signal("INT"), previous);
        }
    }
}

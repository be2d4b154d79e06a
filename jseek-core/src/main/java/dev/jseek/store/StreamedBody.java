package dev.jseek.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read on the caller's thread, one batch of buffers at a time, that gives up on a
 * connection delivering nothing for too long (the JDK client has no read timeout of its own).
 */
final class StreamedBody implements Flow.Subscriber<List<ByteBuffer>> {

    private static final Object END = new Object();

    private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;

    static StreamedBody of(Flow.Publisher<List<ByteBuffer>> publisher) {
        StreamedBody body = new StreamedBody();
        publisher.subscribe(body);
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        items.add(buffers);
    }

    @Override
    public void onError(Throwable t) {
        items.add(t);
    }

    @Override
    public void onComplete() {
        items.add(END);
    }

    /** The next buffers, or null at the end of the body; fails when none come within {@code stall}. */
    @SuppressWarnings("unchecked")
    List<ByteBuffer> next(Duration stall) throws IOException, InterruptedException {
        Object item = items.poll(stall.toMillis(), TimeUnit.MILLISECONDS);
        if (item == null) {
            close();
            throw new IOException("no data for " + stall.toMillis() / 1000.0 + " s");
        }
        if (item == END) {
            return null;
        }
        if (item instanceof Throwable t) {
            throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
        }
        subscription.request(1);
        return (List<ByteBuffer>) item;
    }

    /** Drops the connection (the rest of the body is not wanted). */
    void close() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}

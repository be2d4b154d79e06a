package dev.jseek.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that share loops over {@code [0, n)}. A pool of {@code threads}
 * participants runs {@code threads - 1} daemon threads; the calling thread is the last
 * participant, so no core sits idle waiting. Participants take the loop in chunks from a shared
 * counter, so a thread the machine slows down (another process, a virtual machine's host) hands
 * its remaining chunks to the others instead of holding everyone up. Calls allocate nothing: the
 * per-call state lives in fields, and waiting is a spin (matrix products come back to back
 * during decoding) before parking. One caller at a time; {@code parallelFor} may not be nested.
 */
public final class WorkerPool implements AutoCloseable {

    /**
     * How long a waiting thread spins before parking: longer than the gaps between the matrix
     * products of a token and between tokens, because waking a parked thread costs tens of
     * microseconds (measured 70 us on average on a 2-core virtual machine, against under 1 us
     * for a spinning one); short when threads outnumber the processors, to give the core back.
     */
    private static final long SPIN_NANOS = 1_000_000;
    private static final long OVERSUBSCRIBED_SPIN_NANOS = 20_000;
    /**
     * Chunks shrink as the loop runs out: each takes this fraction of what is left per
     * participant (half), so the first chunks are long runs of rows and the last are short, and
     * the threads finish close together. Against fixed chunks of 1/8 of a participant's share:
     * 1.09x in 2-thread Q4_K_M decode; all of what is left per participant: 0.97x (BENCHMARKS.md).
     */
    private static final int SHARE_DIVISOR = 2;
    /** The smallest chunk, 1/16 of a participant's share (1/32 measured the same). */
    private static final int MIN_CHUNKS_PER_THREAD = 16;

    private final int threads;
    private final long spinNanos;
    private final Worker[] workers;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;
    private volatile boolean callerParked;

    // The current call, written before the workers are woken (the volatile write publishes it).
    private RangeTask task;
    private int count;
    private int participants;
    private int minChunk;
    private Thread caller;

    /** A pool with one participant per physical core. */
    public WorkerPool() {
        this(physicalCores());
    }

    /** A pool of {@code threads} participants, the caller included. */
    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker pool needs at least 1 thread, got " + threads);
        }
        this.threads = threads;
        this.spinNanos = threads <= Runtime.getRuntime().availableProcessors() ? SPIN_NANOS : OVERSUBSCRIBED_SPIN_NANOS;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
        }
        for (Worker w : workers) {
            w.thread.start();
        }
    }

    /** Number of participants, the calling thread included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over {@code [0, n)} in contiguous chunks, each index exactly once, and
     * returns when all are done. Which participant runs which chunk varies from call to call, so
     * a task's result for an index must not depend on the participant (per-worker buffers are
     * scratch only). The first exception thrown by any participant is rethrown here, after every
     * participant has finished.
     */
    public void parallelFor(int n, RangeTask task) {
        if (n < 0) {
            throw new IllegalArgumentException("parallelFor over a negative range: " + n);
        }
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("parallelFor is already running: one caller at a time, no nesting");
        }
        try {
            if (closed) {
                throw new IllegalStateException("worker pool is closed");
            }
            int p = Math.min(threads, n);
            if (p <= 1) {
                if (n > 0) {
                    task.run(0, 0, n);
                }
                return;
            }
            this.task = task;
            this.count = n;
            this.participants = p;
            this.minChunk = Math.max(1, n / (p * MIN_CHUNKS_PER_THREAD));
            this.caller = Thread.currentThread();
            next.set(0);
            pending.set(p - 1);
            for (int i = 1; i < p; i++) {
                workers[i - 1].wake();
            }
            Throwable own = null;
            try {
                runChunks(0);
            } catch (Throwable t) {
                own = t;
                // Let the others finish the loop's remaining chunks without this participant.
            }
            awaitWorkers();
            this.task = null;
            Throwable theirs = failure.getAndSet(null);
            if (own != null && theirs != null) {
                own.addSuppressed(theirs);
            }
            Throwable first = own != null ? own : theirs;
            if (first instanceof RuntimeException e) {
                throw e;
            }
            if (first instanceof Error e) {
                throw e;
            }
            if (first != null) {
                throw new IllegalStateException("a worker failed", first);
            }
        } finally {
            busy.set(false);
        }
    }

    /** Stops the threads; waits for them to end. Calling it again does nothing. */
    @Override
    public void close() {
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("cannot close a worker pool while parallelFor runs");
        }
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Worker w : workers) {
                w.wake();
                LockSupport.unpark(w.thread);
            }
            for (Worker w : workers) {
                w.thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            busy.set(false);
        }
    }

    /** Takes chunks from the shared counter until the loop is done. */
    private void runChunks(int worker) {
        int from;
        while ((from = next.get()) < count) {
            int size = Math.max(minChunk, (count - from) / (SHARE_DIVISOR * participants));
            int to = Math.min(count, from + size);
            if (next.compareAndSet(from, to)) {
                task.run(worker, from, to);
            }
        }
    }

    private void runPart(int worker) {
        try {
            runChunks(worker);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
        // The caller parks only after setting callerParked, so it is seen here or it sees 0.
        if (pending.decrementAndGet() == 0 && callerParked) {
            LockSupport.unpark(caller);
        }
    }

    private void awaitWorkers() {
        long start = System.nanoTime();
        while (pending.get() != 0) {
            if (System.nanoTime() - start < spinNanos) {
                Thread.onSpinWait();
            } else {
                callerParked = true;
                if (pending.get() != 0) {
                    LockSupport.park(this);
                }
                callerParked = false;
            }
        }
    }

    private final class Worker implements Runnable {
        final int index;
        final Thread thread;
        /** Bumped by the caller for each call this worker takes part in. */
        volatile int go;
        volatile boolean parked;

        Worker(int index) {
            this.index = index;
            this.thread = Thread.ofPlatform().daemon().name("jseek-worker-" + index).unstarted(this);
        }

        /** Called by the owner of the pool only, so the plain increment of {@code go} is safe. */
        void wake() {
            go = go + 1;
            // The worker sets parked before its last look at go: one of the two sees the other.
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                long start = System.nanoTime();
                int g;
                while ((g = go) == seen) {
                    if (System.nanoTime() - start < spinNanos) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (go == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                seen = g;
                if (closed) {
                    return;
                }
                runPart(index);
            }
        }
    }

    /**
     * Physical cores this process may use: distinct (physical id, core id) pairs of
     * {@code /proc/cpuinfo}, so SMT siblings do not count twice, capped by
     * {@link Runtime#availableProcessors()} (affinity and container limits). Falls back to
     * {@code availableProcessors()} where the file or the ids are missing.
     */
    public static int physicalCores() {
        int available = Runtime.getRuntime().availableProcessors();
        try {
            return physicalCores(Files.readAllLines(Path.of("/proc/cpuinfo")), available);
        } catch (IOException | RuntimeException e) {
            return available;
        }
    }

    static int physicalCores(List<String> cpuinfo, int available) {
        Set<String> cores = new HashSet<>();
        String physical = null;
        String core = null;
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            String key = colon < 0 ? line.strip() : line.substring(0, colon).strip();
            String value = colon < 0 ? "" : line.substring(colon + 1).strip();
            if (key.isEmpty() || key.equals("processor")) {
                // A blank line or a new "processor" ends the previous processor's block.
                if (physical != null && core != null) {
                    cores.add(physical + ":" + core);
                }
                physical = null;
                core = null;
            } else if (key.equals("physical id")) {
                physical = value;
            } else if (key.equals("core id")) {
                core = value;
            }
        }
        if (physical != null && core != null) {
            cores.add(physical + ":" + core);
        }
        return cores.isEmpty() ? available : Math.max(1, Math.min(cores.size(), available));
    }
}

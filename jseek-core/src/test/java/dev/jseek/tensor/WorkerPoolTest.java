package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerPoolTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void everyIndexOnceInShrinkingContiguousChunks(int threads) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            for (int n : new int[] {0, 1, 2, 3, 4, 5, 7, 64, 1001}) {
                int[] hits = new int[n];
                List<int[]> chunks = Collections.synchronizedList(new ArrayList<>());
                pool.parallelFor(n, (worker, from, to) -> {
                    chunks.add(new int[] {from, to, worker});
                    for (int i = from; i < to; i++) {
                        hits[i]++;
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits[i], "index " + i + " of " + n + " with " + threads + " threads");
                }
                chunks.sort(Comparator.comparingInt(c -> c[0]));
                int next = 0;
                int previousSize = Integer.MAX_VALUE;
                for (int[] c : chunks) {
                    assertEquals(next, c[0], "chunks tile the range");
                    assertTrue(c[2] >= 0 && c[2] < threads, "worker " + c[2]);
                    int size = c[1] - c[0];
                    assertTrue(size >= 1 && size <= previousSize, "chunk sizes never grow: " + size + " after " + previousSize);
                    previousSize = size;
                    next = c[1];
                }
                assertEquals(n, next);
                int participants = Math.min(threads, n);
                if (participants == 1) {
                    assertEquals(1, chunks.size(), "one participant runs the range in one call");
                } else if (n > 0) {
                    assertTrue(chunks.get(0)[1] <= Math.max(1, n / participants), "the first chunk is at most one participant's share");
                    assertTrue(previousSize <= Math.max(1, n / (16 * participants)),
                            "the last chunk is short: " + previousSize + " of " + n + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    void aSlowedParticipantHandsItsChunksToTheOthers() {
        try (WorkerPool pool = new WorkerPool(2)) {
            int n = 64;
            int[] byWorker = new int[2];
            pool.parallelFor(n, (worker, from, to) -> {
                if (worker == 1) {
                    LockSupport.parkNanos(50_000_000); // the machine takes this thread away for a while
                }
                synchronized (byWorker) {
                    byWorker[worker] += to - from;
                }
            });
            assertEquals(n, byWorker[0] + byWorker[1]);
            assertTrue(byWorker[0] > n / 2, "the caller took over the slowed worker's share: " + byWorker[0] + " of " + n);
        }
    }

    @Test
    void manyCallsWithParkingBetween() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(3)) {
            AtomicInteger sum = new AtomicInteger();
            for (int call = 0; call < 5_000; call++) {
                pool.parallelFor(9, (w, from, to) -> sum.addAndGet(to - from));
                if (call % 1_000 == 0) {
                    Thread.sleep(20); // long enough for the workers to stop spinning and park
                }
            }
            assertEquals(5_000 * 9, sum.get());
        }
    }

    @Test
    void workerExceptionReachesTheCallerAndPoolStaysUsable() {
        try (WorkerPool pool = new WorkerPool(3)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException got = assertThrows(IllegalStateException.class, () -> pool.parallelFor(30, (w, from, to) -> {
                if (from <= 17 && 17 < to) {
                    throw boom;
                }
            }));
            assertSame(boom, got);
            assertThrows(AssertionError.class, () -> pool.parallelFor(30, (w, from, to) -> {
                if (from <= 5 && 5 < to) {
                    throw new AssertionError("task error");
                }
            }));
            int[] hits = new int[30];
            pool.parallelFor(30, (w, from, to) -> {
                for (int i = from; i < to; i++) {
                    hits[i]++;
                }
            });
            for (int h : hits) {
                assertEquals(1, h);
            }
        }
    }

    @Test
    void callerExceptionKeepsAWorkerExceptionAsSuppressed() {
        try (WorkerPool pool = new WorkerPool(2)) {
            RuntimeException got = assertThrows(RuntimeException.class, () -> pool.parallelFor(2, (w, from, to) -> {
                throw new RuntimeException("part " + w);
            }));
            assertEquals("part 0", got.getMessage());
            assertEquals("part 1", got.getSuppressed()[0].getMessage());
        }
    }

    @Test
    void misuseIsRefused() {
        WorkerPool pool = new WorkerPool(2);
        assertThrows(IllegalArgumentException.class, () -> pool.parallelFor(-1, (w, from, to) -> { }));
        assertThrows(IllegalStateException.class, () -> pool.parallelFor(4, (w, from, to) -> pool.parallelFor(2, (w2, f2, t2) -> { })));
        pool.close();
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.parallelFor(4, (w, from, to) -> { }));
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
    }

    @Test
    void workersAreNamedDaemonsAndGoAwayOnClose() throws InterruptedException {
        List<Thread> mine = new ArrayList<>();
        try (WorkerPool pool = new WorkerPool(3)) {
            CountDownLatch allThree = new CountDownLatch(3);
            pool.parallelFor(3, (w, from, to) -> {
                // Each participant holds its chunk until all three have one, so each runs one.
                allThree.countDown();
                try {
                    allThree.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                if (w > 0) {
                    synchronized (mine) {
                        mine.add(Thread.currentThread());
                    }
                }
            });
            assertEquals(2, mine.size());
            for (Thread t : mine) {
                assertTrue(t.isDaemon());
                assertTrue(t.getName().startsWith("jseek-worker-"), t.getName());
            }
        }
        for (Thread t : mine) {
            assertTrue(!t.isAlive());
        }
    }

    @Test
    void steadyStateCallsAllocateNothing() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] sink = new long[3];
        RangeTask task = (w, from, to) -> sink[w] += to - from;
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int i = 0; i < 5_000; i++) {
                pool.parallelFor(100, task);
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 2_000; i++) {
                pool.parallelFor(100, task);
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 1024, "2000 calls allocated " + allocated + " bytes");
        }
    }

    @Test
    void physicalCoresCountsCorePairsNotSiblings() {
        List<String> info = new ArrayList<>();
        int cpu = 0;
        for (int socket = 0; socket < 2; socket++) {
            for (int smt = 0; smt < 2; smt++) {
                for (int core = 0; core < 3; core++) {
                    info.add("processor\t: " + cpu++);
                    info.add("physical id\t: " + socket);
                    info.add("core id\t\t: " + core);
                    info.add("");
                }
            }
        }
        assertEquals(6, WorkerPool.physicalCores(info, 12));
        assertEquals(4, WorkerPool.physicalCores(info, 4));
        assertEquals(5, WorkerPool.physicalCores(List.of("processor : 0", "BogoMIPS : 50", ""), 5));
        assertEquals(5, WorkerPool.physicalCores(List.of(), 5));
        int here = WorkerPool.physicalCores();
        assertTrue(here >= 1 && here <= Runtime.getRuntime().availableProcessors());
    }
}

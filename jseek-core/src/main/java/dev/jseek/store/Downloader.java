package dev.jseek.store;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches one file into the store: under the file's lock (one download however many pulls ask),
 * into a {@code .partial} file resumed with HTTP Range, in parallel ranges when large, checked
 * against its sha256, and moved into place only when complete and verified.
 */
final class Downloader {

    /** How often progress is reported, and saved at most this often. */
    private static final long TICK_MILLIS = 200;
    private static final long SAVE_MILLIS = 2000;

    private final HuggingFaceHub hub;
    private final ModelStore store;
    private final DownloadOptions options;
    private final PullListener listener;

    Downloader(HuggingFaceHub hub, ModelStore store, DownloadOptions options, PullListener listener) {
        this.hub = hub;
        this.store = store;
        this.options = options;
        this.listener = listener;
    }

    /** The store path of {@code file}, downloading it first unless it is already there. */
    Path download(RemoteFile file) throws IOException, InterruptedException {
        Path target = store.modelPath(file.repo(), file.path());
        if (Files.exists(target)) {
            return target;
        }
        try (StoreLock lock = StoreLock.acquire(store.lockPath(file.repo(), file.path()), () -> listener.waiting(file))) {
            if (Files.exists(target)) {
                return target; // another pull fetched it while this one waited
            }
            PartialDownload partial = PartialDownload.resume(store.downloadPath(file.repo(), file.path(), ".partial"),
                    store.downloadPath(file.repo(), file.path(), ".progress"), file, rangeCount(file));
            listener.started(file, partial.bytesDone());
            transfer(file, partial);
            verify(file, partial);
            Files.createDirectories(target.getParent());
            Files.move(partial.data, target, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(partial.progress);
            listener.finished(file, target);
            return target;
        }
    }

    private int rangeCount(RemoteFile file) {
        return file.size() >= options.parallelFrom() ? Math.max(1, options.connections()) : 1;
    }

    /**
     * Fetches every unfinished range, each on its own thread and through its own channel (an
     * interrupt closes the channel it lands in), reporting and saving progress meanwhile.
     */
    private void transfer(RemoteFile file, PartialDownload partial) throws IOException, InterruptedException {
        try (FileChannel data = FileChannel.open(partial.data, StandardOpenOption.WRITE)) {
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            try {
                Queue<String> retries = new ConcurrentLinkedQueue<>();
                List<Future<?>> fetches = new ArrayList<>();
                for (PartialDownload.Range r : partial.ranges) {
                    if (!r.done()) {
                        fetches.add(pool.submit(() -> {
                            fetchRange(file, r, partial.ranges.size() == 1, partial.data, retries);
                            return null;
                        }));
                    }
                }
                long lastSave = System.nanoTime();
                for (Future<?> f : fetches) {
                    while (!awaitTick(f)) {
                        report(file, partial, retries);
                        if (System.nanoTime() - lastSave > SAVE_MILLIS * 1_000_000) {
                            data.force(false);
                            partial.save(file);
                            lastSave = System.nanoTime();
                        }
                    }
                }
                report(file, partial, retries);
            } finally {
                pool.shutdownNow(); // a failed range stops the others...
                pool.close(); // ...and once none writes any more, what they wrote is saved
                data.force(false);
                partial.save(file);
            }
        }
    }

    private void report(RemoteFile file, PartialDownload partial, Queue<String> retries) {
        for (String reason; (reason = retries.poll()) != null; ) {
            listener.retrying(file, reason);
        }
        listener.progress(file, partial.bytesDone());
    }

    /** Waits up to one tick for {@code f}: true when it is done, its failure thrown. */
    private static boolean awaitTick(Future<?> f) throws IOException, InterruptedException {
        try {
            f.get(TICK_MILLIS, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        }
    }

    /**
     * Fetches range {@code r}, reconnecting after a cut or stall from where it got to; gives up
     * after {@code attempts} connections in a row that brought nothing. Why it reconnected goes to
     * {@code retries}, for the pulling thread to report.
     */
    private void fetchRange(RemoteFile file, PartialDownload.Range r, boolean wholeFile, Path data, Queue<String> retries)
            throws IOException, InterruptedException {
        int failures = 0;
        while (!r.done()) {
            long before = r.next.get();
            try (FileChannel out = FileChannel.open(data, StandardOpenOption.WRITE)) {
                fetchOnce(file, r, wholeFile, out);
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e; // the pull is stopping: another range failed
                }
                failures = r.next.get() > before ? 1 : failures + 1;
                if (failures >= options.attempts()) {
                    throw new StoreException("downloading " + file.reference() + " failed " + failures + " times in a row ("
                            + Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName())
                            + "); run the pull again to resume from byte " + r.next.get(), e);
                }
                retries.add(Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
                Thread.sleep(options.retryDelay().multipliedBy(1L << Math.min(failures - 1, 6)));
            }
        }
    }

    private void fetchOnce(RemoteFile file, PartialDownload.Range r, boolean wholeFile, FileChannel out)
            throws IOException, InterruptedException {
        long from = r.next.get();
        boolean ranged = !(wholeFile && from == 0);
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = hub.open(file, ranged ? from : -1, r.end, options.stallTimeout());
        StreamedBody body = StreamedBody.of(response.body());
        try {
            if (response.statusCode() == 200 && ranged) {
                if (!wholeFile) {
                    throw new StoreException(hub.endpoint() + " ignored a Range request for " + file.reference());
                }
                r.next.set(0); // the server sends the whole file: start again from its first byte
            } else if (response.statusCode() == 206) {
                checkContentRange(response, from, file);
            }
            for (List<ByteBuffer> buffers; r.next.get() < r.end && (buffers = body.next(options.stallTimeout())) != null; ) {
                for (ByteBuffer b : buffers) {
                    int wanted = (int) Math.min(b.remaining(), r.end - r.next.get());
                    b.limit(b.position() + wanted);
                    long at = r.next.get();
                    while (b.hasRemaining()) {
                        at += out.write(b, at);
                    }
                    r.next.set(at);
                }
            }
            if (r.next.get() < r.end) {
                throw new IOException("connection closed at byte " + r.next.get() + " of " + file.size());
            }
        } finally {
            body.close();
        }
    }

    private static void checkContentRange(HttpResponse<?> response, long from, RemoteFile file) throws IOException {
        String range = response.headers().firstValue("Content-Range").orElse("");
        if (!range.startsWith("bytes " + from + "-")) {
            throw new IOException("asked for bytes from " + from + " of " + file.fileName() + " but got Content-Range '" + range + "'");
        }
    }

    /** Checks size and sha256; a file that fails is deleted, so nothing unverified stays in the store. */
    private void verify(RemoteFile file, PartialDownload partial) throws IOException {
        long size = Files.size(partial.data);
        if (size != file.size()) {
            partial.discard();
            throw new StoreException("download of " + file.reference() + " ended with " + size + " of " + file.size() + " bytes; it was discarded");
        }
        if (file.sha256() == null) {
            return;
        }
        listener.verifying(file);
        String actual = sha256(partial.data);
        if (!actual.equalsIgnoreCase(file.sha256())) {
            partial.discard();
            throw new StoreException("checksum mismatch for " + file.reference() + ": expected sha256 " + file.sha256()
                    + ", got " + actual + "; the download was discarded, pull again to retry");
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (in.read(buffer.clear()) >= 0) {
                digest.update(buffer.flip());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}

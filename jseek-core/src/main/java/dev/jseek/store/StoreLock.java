package dev.jseek.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive right to download or delete one file of the store, held across processes (a file
 * lock) and across threads of this one (file locks are per process, so a lock per path as well).
 */
final class StoreLock implements AutoCloseable {

    private static final ConcurrentHashMap<Path, ReentrantLock> IN_THIS_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock threadLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private StoreLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
        this.threadLock = threadLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Takes the lock at {@code lockFile}, running {@code onWait} once first if someone else holds it. */
    static StoreLock acquire(Path lockFile, Runnable onWait) throws IOException {
        ReentrantLock threadLock = IN_THIS_PROCESS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        boolean waited = false;
        if (!threadLock.tryLock()) {
            onWait.run();
            waited = true;
            threadLock.lock();
        }
        try {
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock fileLock = channel.tryLock();
                if (fileLock == null) {
                    if (!waited) {
                        onWait.run();
                    }
                    fileLock = channel.lock();
                }
                return new StoreLock(threadLock, channel, fileLock);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            threadLock.unlock();
            throw e;
        }
    }

    /** Takes the lock at {@code lockFile} if nobody holds it; null otherwise. */
    static StoreLock tryAcquire(Path lockFile) throws IOException {
        ReentrantLock threadLock = IN_THIS_PROCESS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        if (!threadLock.tryLock()) {
            return null;
        }
        try {
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.tryLock();
            if (fileLock == null) {
                channel.close();
                threadLock.unlock();
                return null;
            }
            return new StoreLock(threadLock, channel, fileLock);
        } catch (IOException | RuntimeException e) {
            threadLock.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            fileLock.release();
            channel.close();
        } finally {
            threadLock.unlock();
        }
    }
}

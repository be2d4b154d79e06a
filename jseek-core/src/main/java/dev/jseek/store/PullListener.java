package dev.jseek.store;

import java.nio.file.Path;
import java.util.List;

/**
 * What a pull reports as it goes, for a user to see; each method is called from the thread that
 * pulls. The default methods ignore the event.
 */
public interface PullListener {

    PullListener SILENT = new PullListener() {
    };

    /** About to download {@code files} for {@code name}: {@code bytes} still to fetch in all. */
    default void pulling(String name, List<RemoteFile> files, long bytes) {
    }

    /** Another process is downloading {@code file}; this one waits for it to finish. */
    default void waiting(RemoteFile file) {
    }

    /** Downloading {@code file} starts, {@code resumedAt} bytes being already on disk. */
    default void started(RemoteFile file, long resumedAt) {
    }

    /** {@code done} bytes of {@code file} are on disk; called a few times a second. */
    default void progress(RemoteFile file, long done) {
    }

    /** A connection failed and the download carries on from where it was. */
    default void retrying(RemoteFile file, String reason) {
    }

    /** Every byte is there; its checksum is being checked. */
    default void verifying(RemoteFile file) {
    }

    /** {@code file} is complete and verified at {@code path}. */
    default void finished(RemoteFile file, Path path) {
    }
}

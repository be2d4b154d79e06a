package dev.jseek.cli;

import dev.jseek.store.ByteSize;
import dev.jseek.store.PullListener;
import dev.jseek.store.RemoteFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Shows a pull on stderr: on a terminal one line rewritten in place (bytes, percent, rate, ETA);
 * otherwise (a log, CI) a plain line every ten seconds.
 */
final class ProgressPrinter implements PullListener {

    private static final long PLAIN_EVERY_NANOS = 10_000_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier nanoClock;

    private long startNanos;
    private long startBytes;
    private long lastPlainNanos;
    private int lineWidth;

    ProgressPrinter(PrintWriter err, boolean terminal, LongSupplier nanoClock) {
        this.err = err;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
    }

    /** For the real stderr: a terminal when the JVM has an interactive console. */
    static ProgressPrinter forConsole(PrintWriter err) {
        return new ProgressPrinter(err, System.console() != null && System.console().isTerminal(), System::nanoTime);
    }

    @Override
    public void pulling(String name, List<RemoteFile> files, long bytes) {
        long total = files.stream().mapToLong(RemoteFile::size).sum();
        String what = files.size() == 1 ? files.getFirst().reference()
                : files.getFirst().reference() + " and " + (files.size() - 1) + " more parts";
        String size = bytes == total ? ByteSize.format(total) : ByteSize.format(total) + ", " + ByteSize.format(bytes) + " left to download";
        println("pulling " + name + ": " + what + " (" + size + ")");
    }

    @Override
    public void waiting(RemoteFile file) {
        println("another jseek is downloading " + file.fileName() + "; waiting for it to finish");
    }

    @Override
    public void started(RemoteFile file, long resumedAt) {
        startNanos = nanoClock.getAsLong();
        lastPlainNanos = startNanos;
        startBytes = resumedAt;
        if (resumedAt > 0) {
            println("resuming " + file.fileName() + " at " + ByteSize.format(resumedAt) + " of " + ByteSize.format(file.size()));
        }
    }

    @Override
    public void progress(RemoteFile file, long done) {
        long now = nanoClock.getAsLong();
        if (terminal) {
            String line = "  " + status(file, done, now);
            err.print("\r" + line + " ".repeat(Math.max(0, lineWidth - line.length())));
            err.flush();
            lineWidth = line.length();
        } else if (now - lastPlainNanos >= PLAIN_EVERY_NANOS) {
            lastPlainNanos = now;
            println(file.fileName() + ": " + status(file, done, now));
        }
    }

    @Override
    public void retrying(RemoteFile file, String reason) {
        println("connection problem (" + reason + "); resuming " + file.fileName());
    }

    @Override
    public void verifying(RemoteFile file) {
        println("checking the sha256 of " + file.fileName());
    }

    @Override
    public void finished(RemoteFile file, Path path) {
        double seconds = (nanoClock.getAsLong() - startNanos) / 1e9;
        println(file.fileName() + ": " + ByteSize.format(file.size()) + " downloaded in " + duration(seconds));
    }

    /** "512 MB / 1.12 GB  45%  12.3 MB/s  ETA 0:48" */
    private String status(RemoteFile file, long done, long now) {
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? (done - startBytes) / seconds : 0;
        String eta = rate > 0 ? duration((file.size() - done) / rate) : "?";
        long percent = file.size() == 0 ? 100 : done * 100 / file.size();
        return ByteSize.format(done) + " / " + ByteSize.format(file.size()) + "  " + percent + "%  "
                + ByteSize.format(Math.round(rate)) + "/s  ETA " + eta;
    }

    /** Ends a progress line in place before a message takes the next line. */
    private void println(String message) {
        if (lineWidth > 0) {
            err.println();
            lineWidth = 0;
        }
        err.println(message);
        err.flush();
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}

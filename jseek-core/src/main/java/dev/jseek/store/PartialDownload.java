package dev.jseek.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A download in progress: the {@code .partial} data file, written at each byte's own position, and
 * beside it a small {@code .progress} file saying which ranges are on disk. A pull that stops
 * (killed, network gone) leaves both, and the next one carries on from them.
 */
final class PartialDownload {

    /** Bytes {@code [start, end)} of the file, of which {@code [start, next)} are written. */
    static final class Range {
        final long start;
        final long end;
        final AtomicLong next;

        Range(long start, long end, long next) {
            this.start = start;
            this.end = end;
            this.next = new AtomicLong(next);
        }

        boolean done() {
            return next.get() >= end;
        }
    }

    private static final String HEADER = "jseek partial download v1";

    final Path data;
    final Path progress;
    final List<Range> ranges;

    private PartialDownload(Path data, Path progress, List<Range> ranges) {
        this.data = data;
        this.progress = progress;
        this.ranges = ranges;
    }

    /**
     * The download of {@code file} as the files at {@code data} and {@code progress} left it, or a
     * new one cut into {@code rangeCount} ranges when there is nothing (usable) to resume.
     */
    static PartialDownload resume(Path data, Path progress, RemoteFile file, int rangeCount) throws IOException {
        List<Range> saved = Files.exists(data) ? readProgress(progress, file) : null;
        if (saved != null) {
            return new PartialDownload(data, progress, saved);
        }
        Files.deleteIfExists(data);
        Files.createDirectories(data.getParent());
        Files.createFile(data);
        List<Range> ranges = new ArrayList<>();
        long step = Math.max(1, (file.size() + rangeCount - 1) / rangeCount);
        for (long start = 0; start < file.size(); start += step) {
            ranges.add(new Range(start, Math.min(file.size(), start + step), start));
        }
        PartialDownload fresh = new PartialDownload(data, progress, ranges);
        fresh.save(file);
        return fresh;
    }

    /** Bytes of {@code file} a resumed download would not fetch again. */
    static long bytesOnDisk(Path data, Path progress, RemoteFile file) {
        try {
            List<Range> saved = Files.exists(data) ? readProgress(progress, file) : null;
            return saved == null ? 0 : saved.stream().mapToLong(r -> r.next.get() - r.start).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    long bytesDone() {
        return ranges.stream().mapToLong(r -> r.next.get() - r.start).sum();
    }

    /** Records the ranges' progress; call only once the data written so far is on disk. */
    void save(RemoteFile file) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n').append(identity(file)).append('\n');
        for (Range r : ranges) {
            sb.append(r.start).append(' ').append(r.end).append(' ').append(r.next.get()).append('\n');
        }
        Path tmp = progress.resolveSibling(progress.getFileName() + ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, progress, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes the data and its progress record. */
    void discard() throws IOException {
        Files.deleteIfExists(data);
        Files.deleteIfExists(progress);
    }

    /** The saved ranges, or null when the record is missing, damaged or about another version of the file. */
    private static List<Range> readProgress(Path progress, RemoteFile file) throws IOException {
        if (!Files.exists(progress)) {
            return null;
        }
        List<String> lines = Files.readAllLines(progress, StandardCharsets.UTF_8);
        if (lines.size() < 3 || !lines.get(0).equals(HEADER) || !lines.get(1).equals(identity(file))) {
            return null;
        }
        List<Range> ranges = new ArrayList<>();
        long expectedStart = 0;
        for (String line : lines.subList(2, lines.size())) {
            String[] f = line.split(" ");
            try {
                long start = Long.parseLong(f[0]);
                long end = Long.parseLong(f[1]);
                long next = Long.parseLong(f[2]);
                if (f.length != 3 || start != expectedStart || end <= start || next < start || next > end) {
                    return null;
                }
                ranges.add(new Range(start, end, next));
                expectedStart = end;
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                return null;
            }
        }
        return expectedStart == file.size() ? ranges : null;
    }

    /** What must match for saved bytes to belong to {@code file}: a changed upload starts afresh. */
    private static String identity(RemoteFile file) {
        return file.size() + " " + (file.sha256() == null ? "-" : file.sha256());
    }
}

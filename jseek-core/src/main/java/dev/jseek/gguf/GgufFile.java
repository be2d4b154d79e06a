package dev.jseek.gguf;

import dev.jseek.tensor.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open GGUF file: metadata, tensor directory and tensor views into the read-only mapping
 * (or, with {@link Storage#IN_MEMORY}, into a copy of the file in the process's own memory).
 * Tensor data stays valid until {@link #close()}.
 */
public final class GgufFile implements AutoCloseable {

    /** Where the tensors' bytes are read from. */
    public enum Storage {
        /** The file mapped read-only: nothing copied, pages read in as the model touches them. */
        MAPPED,
        /**
         * The file read into anonymous memory when opened: all of it resident, none of it file
         * pages. Where the system watches mapped file pages (the DAMON monitor of the benchmark
         * machine), a large model decodes faster from this copy (an 8B model 1.25-1.7x,
         * BENCHMARKS.md).
         */
        IN_MEMORY
    }

    private final String source;
    private final int version;
    private final GgufMetadata metadata;
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName;
    private final long alignment;
    private final long dataOffset;
    private final MemorySegment image;
    private final Arena arena;

    GgufFile(String source, int version, GgufMetadata metadata, List<Tensor> tensors, long alignment,
             long dataOffset, MemorySegment image, Arena arena) {
        this.source = source;
        this.version = version;
        this.metadata = metadata;
        this.tensors = List.copyOf(tensors);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.image = image;
        this.arena = arena;
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            m.put(t.name(), t);
        }
        this.byName = m;
    }

    /** Maps {@code path} read-only and reads its header; any file size works. */
    public static GgufFile open(Path path) throws IOException {
        return open(path, Storage.MAPPED);
    }

    /**
     * Opens {@code path} with its tensors read from {@code storage}. {@link Storage#IN_MEMORY}
     * refuses a file larger than the memory the system reports available, before copying.
     */
    public static GgufFile open(Path path, Storage storage) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IOException(path + " is a directory, not a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment image;
            if (storage == Storage.MAPPED) {
                image = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            } else {
                image = allocateCopy(path, size, arena);
                readFully(ch, path, image);
            }
            return GgufReader.read(path.toString(), image, arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Memory for a copy of {@code size} bytes, or a clear error where there is not that much. */
    private static MemorySegment allocateCopy(Path path, long size, Arena arena) throws IOException {
        long available = availableMemory();
        if (available >= 0 && size > available) {
            throw new IOException(String.format("%s: reading it into memory needs %.2f GB, but %.2f GB are available;"
                    + " map it instead (leave out --no-mmap)", path, size / 1e9, available / 1e9));
        }
        try {
            return arena.allocate(size, 4096);
        } catch (OutOfMemoryError e) {
            throw new IOException(String.format("%s: cannot allocate %.2f GB to read it into memory; map it instead"
                    + " (leave out --no-mmap)", path, size / 1e9));
        }
    }

    /**
     * Reads the whole file into {@code image} with plain reads, a gigabyte at a time: no mapping
     * of it, so the peak resident set is the copy, not the copy and the file's pages.
     */
    private static void readFully(FileChannel ch, Path path, MemorySegment image) throws IOException {
        long size = image.byteSize();
        for (long at = 0; at < size; ) {
            ByteBuffer window = image.asSlice(at, Math.min(1L << 30, size - at)).asByteBuffer();
            while (window.hasRemaining()) {
                if (ch.read(window, at + window.position()) < 0) {
                    throw new EOFException(path + " ended early while it was read into memory");
                }
            }
            at += window.capacity();
        }
    }

    /** MemAvailable of /proc/meminfo in bytes, or -1 where the system does not say. */
    static long availableMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Reads a GGUF image already in memory (tests, embedded data); the caller keeps it alive. */
    public static GgufFile parse(String source, MemorySegment image) {
        return GgufReader.read(source, image, null);
    }

    public String source() {
        return source;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** The value of {@code general.architecture}, or null when the file has none (e.g. test vectors). */
    public String architecture() {
        return metadata.getString("general.architecture", null);
    }

    /** Every tensor, in file order. */
    public List<Tensor> tensors() {
        return tensors;
    }

    /** The tensor named {@code name}, or null. */
    public Tensor tensor(String name) {
        return byName.get(name);
    }

    public long alignment() {
        return alignment;
    }

    /** Byte offset of the data section; tensor offsets are relative to it. */
    public long dataOffset() {
        return dataOffset;
    }

    /** Byte offset of {@code t}'s data relative to the data section, as the file states it. */
    public long tensorOffset(Tensor t) {
        return t.data().address() - image.address() - dataOffset;
    }

    /** Size of the whole file in bytes. */
    public long size() {
        return image.byteSize();
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}

package dev.jseek.gguf;

import dev.jseek.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open GGUF file: metadata, tensor directory and tensor views into the read-only mapping.
 * Tensor data is never copied; it stays valid until {@link #close()}.
 */
public final class GgufFile implements AutoCloseable {

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
        if (Files.isDirectory(path)) {
            throw new IOException(path + " is a directory, not a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return GgufReader.read(path.toString(), mapped, arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
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

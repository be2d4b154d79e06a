package dev.jseek.gguf;

import dev.jseek.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's GGUF files opened as one: a single file, or every part of a model split by llama.cpp's
 * gguf-split ({@code NAME-00001-of-00003.gguf}). Metadata comes from the first part (the others
 * carry only the split keys); tensors are those of all parts, in part order, each a view into its
 * own part's mapping.
 */
public final class GgufModelFiles implements AutoCloseable {

    /** Which part this file is, counting from 0 (u16). */
    public static final String SPLIT_NO = "split.no";
    /** How many parts the model has (u16). */
    public static final String SPLIT_COUNT = "split.count";
    /** How many tensors all parts hold together (i32). */
    public static final String SPLIT_TENSORS_COUNT = "split.tensors.count";

    private final List<GgufFile> parts;
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName;

    private GgufModelFiles(List<GgufFile> parts, List<Tensor> tensors, Map<String, Tensor> byName) {
        this.parts = List.copyOf(parts);
        this.tensors = Collections.unmodifiableList(tensors);
        this.byName = Collections.unmodifiableMap(byName);
    }

    /**
     * Opens {@code path}: a whole model, or the first part of a split one, whose other parts are
     * looked for beside it under llama.cpp's names.
     */
    public static GgufModelFiles open(Path path) throws IOException {
        return open(path, GgufFile.Storage.MAPPED);
    }

    /** {@link #open(Path)} with every part's tensors read from {@code storage}. */
    public static GgufModelFiles open(Path path, GgufFile.Storage storage) throws IOException {
        List<GgufFile> parts = new ArrayList<>();
        try {
            GgufFile first = GgufFile.open(path, storage);
            parts.add(first);
            int count = first.metadata().getInt(SPLIT_COUNT, 1);
            if (first.metadata().contains(SPLIT_COUNT)) {
                openOtherParts(path, first, count, parts, storage);
            }
            return combine(parts, first.metadata().getLong(SPLIT_TENSORS_COUNT, -1));
        } catch (IOException | RuntimeException e) {
            parts.forEach(GgufFile::close);
            throw e;
        }
    }

    private static void openOtherParts(Path path, GgufFile first, int count, List<GgufFile> parts, GgufFile.Storage storage)
            throws IOException {
        int no = first.metadata().getInt(SPLIT_NO, 0);
        SplitName name = SplitName.parse(path.getFileName().toString());
        if (no != 0) {
            String firstName = name == null ? "" : ": " + path.resolveSibling(name.fileName(1));
            throw new IOException(path + " is part " + (no + 1) + " of " + count + " of a split model; open part 1" + firstName);
        }
        if (count < 1) {
            throw new IOException(path + ": " + SPLIT_COUNT + " is " + count);
        }
        if (count == 1) {
            return;
        }
        if (name == null || name.count() != count) {
            throw new IOException(path + " is part 1 of " + count + " of a split model, but its name does not end in -00001-of-"
                    + String.format("%05d", count) + ".gguf, so the other parts cannot be found");
        }
        for (int n = 2; n <= count; n++) {
            Path partPath = path.resolveSibling(name.fileName(n));
            if (!Files.exists(partPath)) {
                throw new IOException("part " + n + " of " + count + " of " + path.getFileName() + " is missing: " + partPath);
            }
            GgufFile part = GgufFile.open(partPath, storage);
            parts.add(part);
            int partNo = part.metadata().getInt(SPLIT_NO, -1);
            int partCount = part.metadata().getInt(SPLIT_COUNT, -1);
            if (partNo != n - 1 || partCount != count) {
                throw new IOException(partPath + " should be part " + n + " of " + count + " but says it is part "
                        + (partNo + 1) + " of " + partCount);
            }
        }
    }

    private static GgufModelFiles combine(List<GgufFile> parts, long declaredTensors) throws IOException {
        List<Tensor> tensors = new ArrayList<>();
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (GgufFile part : parts) {
            for (Tensor t : part.tensors()) {
                if (byName.putIfAbsent(t.name(), t) != null) {
                    throw new IOException(part.source() + ": tensor '" + t.name() + "' is also in an earlier part");
                }
                tensors.add(t);
            }
        }
        if (declaredTensors >= 0 && declaredTensors != tensors.size()) {
            throw new IOException(parts.getFirst().source() + ": " + SPLIT_TENSORS_COUNT + " says " + declaredTensors
                    + " tensors but the " + parts.size() + " parts hold " + tensors.size());
        }
        return new GgufModelFiles(parts, tensors, byName);
    }

    /** The first part's path, as the model's name in messages. */
    public String source() {
        return parts.getFirst().source();
    }

    /** The model's metadata: the first part's, split keys included. */
    public GgufMetadata metadata() {
        return parts.getFirst().metadata();
    }

    /** The value of {@code general.architecture}, or null. */
    public String architecture() {
        return parts.getFirst().architecture();
    }

    /** Every tensor of every part, in part order and file order within a part. */
    public List<Tensor> tensors() {
        return tensors;
    }

    /** The tensor named {@code name}, or null. */
    public Tensor tensor(String name) {
        return byName.get(name);
    }

    /** The open files, first part first (one for an unsplit model). */
    public List<GgufFile> parts() {
        return parts;
    }

    /** Bytes of all parts together. */
    public long size() {
        return parts.stream().mapToLong(GgufFile::size).sum();
    }

    @Override
    public void close() {
        parts.forEach(GgufFile::close);
    }
}

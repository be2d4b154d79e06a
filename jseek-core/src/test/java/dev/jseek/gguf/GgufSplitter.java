package dev.jseek.gguf;

import dev.jseek.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Cuts a model into parts as llama.cpp's gguf-split does, for the tests. */
public final class GgufSplitter {

    private GgufSplitter() {
    }

    /**
     * Writes {@code source} as {@code count} parts {@code PREFIX-0000N-of-0000M.gguf} in {@code dir}:
     * all metadata in the first, only the split keys in the others, tensors in file order. With
     * {@code emptyFirst} the first part holds no tensors (gguf-split's --no-tensor-first-split);
     * {@code wrongSplitNo} writes, for a part index, another {@code split.no}. Returns the first part.
     */
    public static Path split(GgufFile source, Path dir, String prefix, int count, boolean emptyFirst, Map<Integer, Integer> wrongSplitNo)
            throws IOException {
        List<Tensor> tensors = source.tensors();
        int tensorParts = emptyFirst ? count - 1 : count;
        int perPart = (tensors.size() + tensorParts - 1) / tensorParts;
        SplitName name = new SplitName(prefix, 1, count);
        for (int p = 0; p < count; p++) {
            GgufWriter w = new GgufWriter();
            if (p == 0) {
                w.putAll(source.metadata());
            }
            w.put(GgufModelFiles.SPLIT_NO, new GgufValue(GgufValueType.UINT16, (short) (int) wrongSplitNo.getOrDefault(p, p)));
            w.put(GgufModelFiles.SPLIT_COUNT, new GgufValue(GgufValueType.UINT16, (short) count));
            w.put(GgufModelFiles.SPLIT_TENSORS_COUNT, GgufValue.ofInt32(tensors.size()));
            int slot = emptyFirst ? p - 1 : p;
            if (slot >= 0) {
                tensors.subList(Math.min(tensors.size(), slot * perPart), Math.min(tensors.size(), (slot + 1) * perPart)).forEach(w::add);
            }
            w.write(dir.resolve(name.fileName(p + 1)));
        }
        return dir.resolve(name.fileName(1));
    }

    public static Path split(GgufFile source, Path dir, String prefix, int count) throws IOException {
        return split(source, dir, prefix, count, false, Map.of());
    }
}

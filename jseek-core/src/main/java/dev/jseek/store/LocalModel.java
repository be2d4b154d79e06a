package dev.jseek.store;

import java.nio.file.Path;
import java.util.List;

/**
 * A complete model in the store: one GGUF file, or every part of a split one.
 *
 * @param path  the repository path of the (first) file
 * @param files the file, or the parts in order
 * @param quant the quantization its name states, or null
 */
public record LocalModel(String repo, String path, List<Path> files, long size, String quant) {

    /** The file to open: the model, or its first part. */
    public Path first() {
        return files.getFirst();
    }

    /** The reference that names exactly this model. */
    public String reference() {
        return "hf://" + repo + "/" + path;
    }
}

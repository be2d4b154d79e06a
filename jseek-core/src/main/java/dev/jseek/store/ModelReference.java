package dev.jseek.store;

import dev.jseek.gguf.SplitName;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a user can name a model by: a built-in name ({@code deepseek-r1:7b}, {@code deepseek-v3:q8_0}),
 * a repository and quantization ({@code OWNER/REPO:QUANT}), one file of a repository
 * ({@code hf://OWNER/REPO/FILE.gguf}) or a local file.
 */
public sealed interface ModelReference {

    /** A quantization of a Hugging Face repository; the file is picked from the repository's list. */
    record RepoQuant(String repo, String quant) implements ModelReference {
    }

    /** One GGUF file of a repository; for a split model, its first part. */
    record RepoFile(String repo, String path) implements ModelReference {
    }

    /** A built-in name and what it stands for. */
    record Alias(String name, RepoQuant target) implements ModelReference {
    }

    /** A GGUF file on this machine. */
    record LocalFile(Path path) implements ModelReference {
    }

    Pattern REPO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    Pattern REPO_QUANT = Pattern.compile("(" + REPO.pattern() + "):([A-Za-z0-9_-]+)");
    Pattern HF_FILE = Pattern.compile("hf://(" + REPO.pattern() + ")/((?:[A-Za-z0-9._-]+/)*[A-Za-z0-9._-]+\\.gguf)");

    /**
     * Reads {@code text}: an existing file wins, then a built-in name (with an optional
     * {@code :QUANT}), then {@code hf://} and {@code OWNER/REPO:QUANT} references, then anything
     * written like a path.
     */
    static ModelReference parse(String text, ModelCatalog catalog) {
        if (text.startsWith("hf://")) {
            Matcher m = HF_FILE.matcher(text);
            if (!m.matches() || m.group(2).contains("..")) {
                throw new StoreException("'" + text + "' is not a file reference; write hf://OWNER/REPO/FILE.gguf");
            }
            // Any part of a split model names the model: its first part.
            String path = m.group(2);
            SplitName split = SplitName.parse(path.substring(path.lastIndexOf('/') + 1));
            return new RepoFile(m.group(1), split == null ? path : path.substring(0, path.lastIndexOf('/') + 1) + split.fileName(1));
        }
        if (isExistingFile(text)) {
            return new LocalFile(Path.of(text));
        }
        var entry = catalog.find(text);
        if (entry.isPresent()) {
            return new Alias(entry.get().name(), new RepoQuant(entry.get().repo(), entry.get().quant()));
        }
        int colon = text.lastIndexOf(':');
        if (colon > 0) {
            var withQuant = catalog.find(text.substring(0, colon));
            String quant = text.substring(colon + 1);
            if (withQuant.isPresent() && Quantization.looksLikeQuant(quant)) {
                String q = quant.toUpperCase(Locale.ROOT);
                return new Alias(withQuant.get().name() + ":" + q, new RepoQuant(withQuant.get().repo(), q));
            }
        }
        Matcher rq = REPO_QUANT.matcher(text);
        if (rq.matches()) {
            return new RepoQuant(rq.group(1), rq.group(2).toUpperCase(Locale.ROOT));
        }
        if (text.endsWith(".gguf") || text.contains("/") || text.contains("\\")) {
            return new LocalFile(Path.of(text));
        }
        throw new StoreException("unknown model '" + text + "': not a built-in name (see 'jseek pull --list'), "
                + "an OWNER/REPO:QUANT or hf://OWNER/REPO/FILE.gguf reference, or a file");
    }

    private static boolean isExistingFile(String text) {
        try {
            return Files.isRegularFile(Path.of(text));
        } catch (InvalidPathException e) {
            return false;
        }
    }
}

package dev.jseek.tokenizer;

import dev.jseek.gguf.GgufFile;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The shared vocab-only GGUF files, loaded once per test run and mode. */
final class TokenizerFixtures {

    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

    private TokenizerFixtures() {
    }

    /** The tokenizer of {@code tokenizer/ggml-vocab-<vocab>.gguf}. */
    static Tokenizer tokenizer(String vocab, Tokenizer.Compatibility mode) {
        return LOADED.computeIfAbsent(vocab + "/" + mode, k -> {
            try (GgufFile f = GgufFile.open(TestData.file("tokenizer/ggml-vocab-" + vocab + ".gguf"))) {
                return Tokenizer.load(f.metadata(), mode);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

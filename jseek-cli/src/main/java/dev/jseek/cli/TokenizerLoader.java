package dev.jseek.cli;

import dev.jseek.gguf.GgufFile;
import dev.jseek.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** The tokenizer of a model file, for the commands that need only that. */
final class TokenizerLoader {

    private TokenizerLoader() {
    }

    static Tokenizer load(Path model) throws IOException {
        try (GgufFile f = GgufFile.open(Cli.existingFile(model))) {
            return Tokenizer.load(f.metadata());
        }
    }
}

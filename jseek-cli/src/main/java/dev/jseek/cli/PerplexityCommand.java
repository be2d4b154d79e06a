package dev.jseek.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.engine.Perplexity;
import dev.jseek.model.Model;
import dev.jseek.tensor.WorkerPool;
import dev.jseek.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jseek perplexity}: llama-perplexity's figure for a text, comparable one to one. */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Perplexity of a text as llama-perplexity defines it: chunks of -c tokens, second half of each scored.")
final class PerplexityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "TEXT", description = "The text file.")
    Path textFile;

    @Option(names = "--chunks", paramLabel = "N", description = "Score only the first N chunks (default: all).")
    int maxChunks = -1;

    @Option(names = "--json", description = "Print {\"ppl\":x,\"tokens\":n,\"chunks\":c}.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        int chunk = modelOptions.contextSize > 0 ? modelOptions.contextSize : 512;
        String text = Files.readString(Cli.existingFile(textFile), StandardCharsets.UTF_8);
        try (WorkerPool pool = modelOptions.pool();
             Model model = modelOptions.load(pool, chunk)) {
            Tokenizer tokenizer = Tokenizer.load(model.file().metadata());
            int[] ids = tokenizer.encode(text, true, false);
            if (maxChunks > 0) {
                ids = Arrays.copyOf(ids, Math.min(ids.length, maxChunks * chunk));
            }
            if (ids.length < chunk) {
                throw new Cli.UserError(textFile + " has " + ids.length + " tokens, fewer than one chunk of " + chunk + " (lower -c)");
            }
            int bos = tokenizer.vocabulary().addBos() ? tokenizer.vocabulary().bos() : -1;
            Perplexity.Result r = Perplexity.compute(model, ids, chunk, bos, modelOptions.kvCacheType());
            if (json) {
                spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(
                        Map.of("ppl", r.perplexity(), "tokens", r.tokensScored(), "chunks", r.chunks())));
            } else {
                spec.commandLine().getOut().printf("perplexity %.4f over %d chunks of %d tokens (%d predictions scored)%n",
                        r.perplexity(), r.chunks(), chunk, r.tokensScored());
            }
        }
        return 0;
    }
}

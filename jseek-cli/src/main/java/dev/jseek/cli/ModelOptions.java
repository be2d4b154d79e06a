package dev.jseek.cli;

import dev.jseek.model.KvCache;
import dev.jseek.model.Model;
import dev.jseek.model.ModelLoader;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.WorkerPool;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that runs a model shares: which model, threads, context, cache type. */
final class ModelOptions {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "The GGUF model file.")
    Path model;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: physical cores).")
    Integer threads;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N",
            description = "Context size in tokens (default: the smaller of the model's context and 4096).")
    int contextSize;

    @Option(names = "--kv-type", paramLabel = "TYPE", description = "KV cache type: f32 or f16 (default: f16).")
    String kvType = "f16";

    KvCache.Type kvCacheType() {
        return switch (kvType.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> KvCache.Type.F32;
            case "f16" -> KvCache.Type.F16;
            default -> throw new Cli.UserError("--kv-type must be f32 or f16, not '" + kvType + "'");
        };
    }

    /** The worker pool for {@code -t}; the caller closes it after the model. */
    WorkerPool pool() {
        if (threads != null && (threads < 1 || threads > 1024)) {
            throw new Cli.UserError("-t must be between 1 and 1024, not " + threads);
        }
        return threads == null ? new WorkerPool() : new WorkerPool(threads);
    }

    Model load(WorkerPool pool) throws IOException {
        if (contextSize < 0) {
            throw new Cli.UserError("-c must be positive, not " + contextSize);
        }
        kvCacheType();
        return ModelLoader.load(Cli.existingFile(model), new MatMul(pool), new ModelLoader.Options(contextSize, 64));
    }
}

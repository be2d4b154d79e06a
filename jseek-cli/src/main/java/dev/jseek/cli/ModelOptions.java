package dev.jseek.cli;

import dev.jseek.gguf.GgufFile;
import dev.jseek.model.KvCache;
import dev.jseek.model.Model;
import dev.jseek.model.ModelLoader;
import dev.jseek.store.ModelResolver;
import dev.jseek.tensor.JitSettings;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.WorkerPool;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The options every command that runs a model shares: which model (a file, or a name pulled into
 * the store on first use), threads, context and cache type.
 */
final class ModelOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "A GGUF file, or a model name such as deepseek-r1:1.5b (pulled when missing).")
    String model;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "The model, as for -m.")
    String modelArgument;

    @Option(names = "--offline", description = "Never download: use only files and models already in the store.")
    boolean offline;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: physical cores).")
    Integer threads;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N",
            description = "Context size in tokens (default: the smaller of the model's context and 4096).")
    int contextSize;

    @Option(names = "--kv-type", paramLabel = "TYPE", description = "KV cache type: f32 or f16 (default: f16).")
    String kvType = "f16";

    @Option(names = "--no-mmap", description = "Read the model into memory when loading instead of mapping the file: "
            + "needs the file's size in free memory; faster where the system watches mapped pages "
            + "(an 8B model decoded 1.25-1.7x faster on the benchmark machine).")
    boolean noMmap;

    @Option(names = "--exact", description = "Multiply quantized weights with float activations (slower). By default "
            + "activations are rounded to 8 bits before each product with quantized weights, as llama.cpp's CPU backend "
            + "does: its results, and integer kernels for Q4_0, Q4_K, Q6_K and Q8_0.")
    boolean exactActivations;

    KvCache.Type kvCacheType() {
        return switch (kvType.toLowerCase(Locale.ROOT)) {
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

    /** The model's file: given directly, found in the store, or pulled now (saying what and how much first). */
    Path modelFile() throws IOException {
        String reference = model != null ? model : modelArgument;
        if (reference == null) {
            throw new Cli.UserError("no model given: name one with -m MODEL (a GGUF file or e.g. deepseek-r1:1.5b)");
        }
        if (model != null && modelArgument != null) {
            throw new Cli.UserError("two models given ('" + model + "' and '" + modelArgument + "'): use -m or the argument, not both");
        }
        Main main = (Main) command.root().userObject();
        ModelResolver resolver = ModelResolver.fromEnvironment(main.environment(),
                ProgressPrinter.forConsole(command.commandLine().getErr()));
        try {
            return Cli.existingFile(resolver.resolve(reference, offline));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while pulling " + reference);
        }
    }

    Model load(WorkerPool pool) throws IOException {
        return load(pool, contextSize);
    }

    Model load(WorkerPool pool, int context) throws IOException {
        if (context < 0) {
            throw new Cli.UserError("-c must be positive, not " + context);
        }
        kvCacheType();
        JitSettings.warning(JitSettings.currentCutoff()).ifPresent(command.commandLine().getErr()::println);
        return ModelLoader.load(modelFile(), new MatMul(pool, !exactActivations), new ModelLoader.Options(context, 64,
                noMmap ? GgufFile.Storage.IN_MEMORY : GgufFile.Storage.MAPPED));
    }
}

package dev.jseek.cli;

import dev.jseek.model.Model;
import dev.jseek.tensor.WorkerPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jseek eval}: the logits of every position of a token sequence, for checking against a reference. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate exact token ids and write the logits of every position "
                + "(little-endian float32, [positions][vocabulary]).")
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt-ids", required = true, split = ",", paramLabel = "IDS", description = "Token ids, comma-separated.")
    int[] promptIds;

    @Option(names = "--logits-out", required = true, paramLabel = "FILE", description = "Where to write the logits.")
    Path logitsOut;

    @Override
    public Integer call() throws IOException {
        try (WorkerPool pool = modelOptions.pool(); Model model = modelOptions.load(pool)) {
            int vocab = model.config().vocabSize();
            float[] logits = new float[promptIds.length * vocab];
            model.forward(promptIds, 0, promptIds.length, 0, model.newCache(modelOptions.kvCacheType()), logits, true);
            writeFloats(logitsOut, logits);
            spec.commandLine().getOut().printf("wrote %d x %d logits to %s%n", promptIds.length, vocab, logitsOut);
        }
        return 0;
    }

    /** Writes to a temporary file beside the target and moves it into place when complete. */
    static void writeFloats(Path target, float[] values) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new Cli.UserError("no such directory: " + dir);
        }
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".partial");
        try {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

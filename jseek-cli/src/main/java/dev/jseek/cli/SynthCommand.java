package dev.jseek.cli;

import dev.jseek.model.SyntheticModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jseek synth}: a random-weight model with a released model's real shape, for benchmarks and tests. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a random-weight GGUF model with the shape of a released model (values are noise; "
                + "size, speed and memory are real).")
final class SynthCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--shape", required = true, paramLabel = "NAME",
            description = "Model shape, e.g. r1-distill-qwen-1.5b, r1-distill-llama-8b, r1-0528-qwen3-8b, deepseek-v2-lite, deepseek-v3.")
    String shape;

    @Option(names = "--arch", paramLabel = "ARCH", description = "Architecture (implied by the shape; checked when given).")
    String arch;

    @Option(names = "--type", paramLabel = "TYPE", description = "Tensor type of the weight matrices, or Q4_K_M / Q4_K_S as llama-quantize mixes them (default: Q4_0).")
    String type = "Q4_0";

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write the model.")
    Path output;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random weights (default: 1).")
    long seed = 1;

    @Override
    public Integer call() throws Exception {
        SyntheticModel.Shape s = SyntheticModel.shape(shape);
        if (arch != null && !arch.equals(s.arch())) {
            throw new Cli.UserError("shape " + s.name() + " is a " + s.arch() + " model, not " + arch);
        }
        SyntheticModel.Scheme t = SyntheticModel.Scheme.of(type);
        Path dir = output.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new Cli.UserError("no such directory: " + dir);
        }
        long start = System.nanoTime();
        SyntheticModel.write(s, t, seed, output);
        spec.commandLine().getOut().printf("wrote %s (%s, %s, %,d bytes) in %.1f s%n", output, s.name(), t.name(),
                Files.size(output), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}

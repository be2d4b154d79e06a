package dev.jseek.cli;

import dev.jseek.store.ByteSize;
import dev.jseek.store.ModelCatalog;
import dev.jseek.store.ModelReference;
import dev.jseek.store.ModelResolver;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jseek pull}: downloads a model into the store, or lists the built-in names. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download a model from Hugging Face into the local store; an interrupted download resumes.",
                "Store: $JSEEK_HOME or ~/.cache/jseek. Hub: $JSEEK_HF_ENDPOINT (default https://huggingface.co); "
                        + "gated repositories need $HF_TOKEN."})
final class PullCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "NAME", arity = "0..1",
            description = "A built-in name (see --list), NAME:QUANT (e.g. deepseek-r1:7b:q8_0), OWNER/REPO:QUANT or hf://OWNER/REPO/FILE.gguf.")
    String name;

    @Option(names = "--list", description = "Show the built-in names: approximate size, what each model is, its licence and repository.")
    boolean list;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            printCatalog(out, ModelCatalog.builtIn());
            out.flush();
            return 0;
        }
        if (name == null) {
            throw new ParameterException(spec.commandLine(), "Missing model NAME (or --list for the built-in names)");
        }
        if (ModelReference.parse(name, ModelCatalog.builtIn()) instanceof ModelReference.LocalFile) {
            throw new Cli.UserError("'" + name + "' is a file, not a model to pull; name a built-in model (see 'jseek pull --list') or a Hugging Face one");
        }
        PrintWriter err = spec.commandLine().getErr();
        ModelResolver resolver = ModelResolver.fromEnvironment(main.environment(), ProgressPrinter.forConsole(err));
        if (resolver.findLocal(name).isPresent()) {
            err.println(name + " is already in the store");
            err.flush();
        }
        Path path = resolver.resolve(name, false);
        out.println(path);
        out.flush();
        return 0;
    }

    private static void printCatalog(PrintWriter out, ModelCatalog catalog) {
        List<ModelCatalog.Entry> distills = catalog.entries().stream().filter(ModelCatalog.Entry::isDistill).toList();
        List<ModelCatalog.Entry> own = catalog.entries().stream().filter(e -> !e.isDistill()).toList();
        out.println("DeepSeek-R1 distills: smaller open models fine-tuned on R1's reasoning; the base model's licence applies too.");
        printTable(out, catalog, distills, "BASE MODEL", ModelCatalog.Entry::base);
        out.println();
        out.println("DeepSeek's own models:");
        printTable(out, catalog, own, "MODEL", ModelCatalog.Entry::about);
        out.println();
        out.println("Sizes are approximate (parameters x bits per weight of the default quantization); pull states the exact size.");
        out.println("NAME:QUANT picks another quantization the repository has, e.g. deepseek-r1:7b:q8_0.");
    }

    private static void printTable(PrintWriter out, ModelCatalog catalog, List<ModelCatalog.Entry> entries, String middle,
                                   Function<ModelCatalog.Entry, String> middleOf) {
        TextTable table = new TextTable("  ", "NAME", "SIZE", "PARAMS", "QUANT", middle, "LICENCE", "REPOSITORY");
        for (ModelCatalog.Entry e : entries) {
            String size = catalog.approximateSize(e, e.quant()).stream().mapToObj(b -> "~" + ByteSize.format(b)).findFirst().orElse("?");
            table.row(e.name(), size, parameters(e.parameters()), e.quant(), middleOf.apply(e), e.licence(), e.repo());
        }
        table.print(out);
    }

    private static String parameters(double n) {
        return n >= 100e9 ? String.format("%.0fB", n / 1e9) : String.format("%.1fB", n / 1e9);
    }
}

package dev.jseek.cli;

import dev.jseek.gguf.GgufModelFiles;
import dev.jseek.store.ByteSize;
import dev.jseek.store.LocalModel;
import dev.jseek.store.ModelCatalog;
import dev.jseek.store.ModelStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jseek list}: the models in the local store. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the models in the local store ($JSEEK_HOME or ~/.cache/jseek): name, size, quantization, architecture, path.")
final class ListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ModelStore store = ModelStore.fromEnvironment(main.environment());
        List<LocalModel> models = store.models();
        if (models.isEmpty()) {
            out.println("no models in " + store.root() + "; pull one with 'jseek pull deepseek-r1:1.5b' (see 'jseek pull --list')");
        } else {
            ModelCatalog catalog = ModelCatalog.builtIn();
            TextTable table = new TextTable("", "NAME", "SIZE", "QUANT", "ARCH", "PATH");
            for (LocalModel m : models) {
                table.row(name(catalog, m), ByteSize.format(m.size()), m.quant() == null ? "?" : m.quant(), architecture(m), m.first().toString());
            }
            table.print(out);
        }
        out.flush();
        return 0;
    }

    /** The shortest name that finds the model again: the built-in one, OWNER/REPO:QUANT, else the file reference. */
    static String name(ModelCatalog catalog, LocalModel m) {
        if (m.quant() == null) {
            return m.reference();
        }
        return catalog.nameOf(m.repo(), m.quant()).orElse(m.repo() + ":" + m.quant());
    }

    private static String architecture(LocalModel m) {
        try (GgufModelFiles f = GgufModelFiles.open(m.first())) {
            return f.architecture() == null ? "?" : f.architecture();
        } catch (IOException | RuntimeException e) {
            return "(unreadable)";
        }
    }
}

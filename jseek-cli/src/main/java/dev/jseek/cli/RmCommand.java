package dev.jseek.cli;

import dev.jseek.store.ByteSize;
import dev.jseek.store.LocalModel;
import dev.jseek.store.ModelResolver;
import dev.jseek.store.PullListener;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jseek rm}: deletes a model from the local store. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = "Delete a model from the local store (every part of a split model, and any unfinished download of it).")
final class RmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "NAME", description = "The model as 'jseek list' names it, or any name 'jseek pull' takes.")
    String name;

    @Override
    public Integer call() throws Exception {
        ModelResolver resolver = ModelResolver.fromEnvironment(main.environment(), PullListener.SILENT);
        LocalModel model = resolver.findLocal(name).orElseThrow(() -> new Cli.UserError(
                name + " is not in the store (" + resolver.store().root() + "); see 'jseek list'"));
        resolver.store().remove(model);
        PrintWriter out = spec.commandLine().getOut();
        out.println("removed " + name + " (" + ByteSize.format(model.size()) + ", " + model.files().size()
                + (model.files().size() == 1 ? " file" : " files") + ")");
        out.flush();
        return 0;
    }
}

package dev.jseek.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jseek} command: each subcommand is a thin adapter over jseek-core. */
@Command(name = "jseek", mixinStandardHelpOptions = true, version = "jseek 0.1.0",
        description = "Pure-Java inference for DeepSeek-family models on any CPU.",
        subcommands = {CommandLine.HelpCommand.class, InspectCommand.class, EvalCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(Cli.configure(new CommandLine(new Main())).execute(args));
    }
}

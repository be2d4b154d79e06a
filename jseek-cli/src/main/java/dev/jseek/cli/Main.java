package dev.jseek.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jseek} command: each subcommand is a thin adapter over jseek-core. */
@Command(name = "jseek", mixinStandardHelpOptions = true, version = "jseek 0.1.0",
        description = "Pure-Java inference for DeepSeek-family models on any CPU.",
        subcommands = {CommandLine.HelpCommand.class, InspectCommand.class, TokenizeCommand.class,
                DetokenizeCommand.class, TemplateCommand.class, RunCommand.class, ChatCommand.class, EvalCommand.class,
                PerplexityCommand.class, BenchCommand.class, SynthCommand.class, PullCommand.class, ListCommand.class, RmCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    public Main() {
        this(System.getenv());
    }

    /** With the environment variables the commands read (JSEEK_HOME, JSEEK_HF_ENDPOINT, HF_TOKEN): tests pass their own. */
    Main(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    Map<String, String> environment() {
        return environment;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        CommandLine cl = Cli.configure(new CommandLine(new Main()));
        // Prompts and model text are UTF-8 whatever the locale; the platform charset would turn them into '?'.
        cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        System.exit(cl.execute(args));
    }
}

package dev.jseek.cli;

import dev.jseek.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jseek detokenize}: the text of token ids. */
@Command(name = "detokenize", mixinStandardHelpOptions = true,
        description = "Print the text of token ids exactly (control tokens as their text, no newline added).")
final class DetokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "The GGUF file whose tokenizer to use.")
    Path model;

    @Parameters(arity = "1..*", paramLabel = "IDS", description = "Token ids, separated by spaces or commas ([1, 2] works too).")
    List<String> idArgs;

    @Override
    public Integer call() throws IOException {
        int[] ids = idArgs.stream()
                .flatMap(arg -> java.util.Arrays.stream(arg.split("[\\s,\\[\\]]+")))
                .filter(s -> !s.isEmpty())
                .mapToInt(DetokenizeCommand::parseId)
                .toArray();
        Tokenizer tokenizer = TokenizerLoader.load(model);
        PrintWriter out = spec.commandLine().getOut();
        out.print(tokenizer.decode(ids));
        out.flush();
        return 0;
    }

    private static int parseId(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new Cli.UserError("not a token id: '" + s + "'");
        }
    }
}

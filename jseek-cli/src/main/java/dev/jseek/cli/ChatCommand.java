package dev.jseek.cli;

import dev.jseek.engine.ChatPrompt;
import dev.jseek.engine.Generator;
import dev.jseek.engine.Session;
import dev.jseek.model.Model;
import dev.jseek.template.ChatRequest;
import dev.jseek.template.ReasoningSplitter;
import dev.jseek.tensor.WorkerPool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jseek chat}: a multi-turn conversation on the model's chat template. Each turn reuses
 * the cache of the conversation so far; Ctrl-C stops the current answer, not the program.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with a model. Commands: /clear (new conversation), /exit. Ctrl-C stops the current answer.")
final class ChatCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message at the start of the conversation.")
    String system;

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", description = "Most tokens per answer (default: until the model stops).")
    int maxTokens = -1;

    @Option(names = "--hide-think", description = "Do not show the model's reasoning.")
    boolean hideThink;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean terminal = System.console() != null;
        try (WorkerPool pool = modelOptions.pool(); Model model = modelOptions.load(pool)) {
            Conversation conversation = Conversation.of(model);
            Generator generator = new Generator(conversation.tokenizer());
            Session session = new Session(model, modelOptions.kvCacheType());
            List<Map<String, ?>> messages = new ArrayList<>();
            if (system != null) {
                messages.add(Map.of("role", "system", "content", system));
            }
            int firstTurn = messages.size();
            err.println("Chatting with " + model.config().architecture().name() + " (" + model.contextCapacity()
                    + " tokens of context). /clear starts over, /exit ends, Ctrl-C stops an answer.");
            while (true) {
                if (terminal) {
                    out.print("> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) {
                    break;
                }
                if (line.strip().equals("/clear")) {
                    messages.subList(firstTurn, messages.size()).clear();
                    session.clear();
                    err.println("(new conversation)");
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                messages.add(Map.of("role", "user", "content", line));
                ChatRequest request = ChatRequest.of(messages);
                ChatPrompt.Prompt prompt = conversation.prompt().encode(request);
                int[] ids = prompt.ids();
                if (ids.length >= session.remaining() + session.length()) {
                    messages.remove(messages.size() - 1);
                    err.println("(the conversation no longer fits the context; /clear to start over or raise -c)");
                    continue;
                }
                ReplyPrinter printer = new ReplyPrinter(out, ReasoningSplitter.forPrompt(prompt.text()),
                        hideThink, terminal);
                AtomicBoolean stop = new AtomicBoolean();
                Generator.Result result;
                try (Interrupts ignored = Interrupts.cancelling(stop)) {
                    result = generator.generate(session, new Generator.Request(ids, sampling.params(conversation.reasons()),
                            maxTokens, sampling.stop, false), printer::accept, stop::get);
                }
                printer.finish();
                out.println();
                err.println(Stats.line(result));
                // The reply joins the history as generated, reasoning included: templates drop old reasoning themselves.
                messages.add(Map.of("role", "assistant", "content", result.text()));
            }
        }
        return 0;
    }
}

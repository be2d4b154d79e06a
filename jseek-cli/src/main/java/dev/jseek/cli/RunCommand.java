package dev.jseek.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jseek.engine.ChatPrompt;
import dev.jseek.engine.Generator;
import dev.jseek.engine.Session;
import dev.jseek.model.Model;
import dev.jseek.template.ChatRequest;
import dev.jseek.template.ReasoningSplitter;
import dev.jseek.tensor.WorkerPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** {@code jseek run}: one prompt in, the reply streamed out. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Generate a reply to one prompt, streamed as it is generated.")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    SamplingOptions sampling;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt (default: a line typed on the terminal, or all of standard input).")
    String prompt;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the prompt from FILE.")
    Path promptFile;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message before the prompt.")
    String system;

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", description = "Most tokens to generate (default: until the model stops).")
    int maxTokens = -1;

    @Option(names = "--raw", description = "Use the prompt as it is, without the chat template.")
    boolean raw;

    @Option(names = "--special", description = "With --raw: read special-token texts in the prompt as tokens.")
    boolean special;

    @Option(names = "--prompt-ids", split = ",", paramLabel = "IDS", description = "Exact prompt token ids (no BOS added, no template).")
    int[] promptIds;

    @Option(names = "--ignore-eos", description = "Keep generating past end-of-generation tokens.")
    boolean ignoreEos;

    @Option(names = "--hide-think", description = "Do not show the model's reasoning.")
    boolean hideThink;

    @Option(names = "--json", description = "Print one JSON object: prompt_ids, ids, text, prefill_tps, decode_tps.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        try (WorkerPool pool = modelOptions.pool(); Model model = modelOptions.load(pool)) {
            Conversation conversation = Conversation.of(model);
            String renderedPrompt = null;
            int[] ids;
            if (promptIds != null) {
                ids = promptIds;
            } else if (raw) {
                renderedPrompt = promptText();
                ids = conversation.tokenizer().encode(renderedPrompt, true, special);
            } else {
                List<Map<String, ?>> messages = new ArrayList<>();
                if (system != null) {
                    messages.add(Map.of("role", "system", "content", system));
                }
                messages.add(Map.of("role", "user", "content", promptText()));
                ChatRequest request = ChatRequest.of(messages);
                ChatPrompt.Prompt rendered = conversation.prompt().encode(request);
                renderedPrompt = rendered.text();
                ids = rendered.ids();
            }
            Generator.Request request = new Generator.Request(ids, sampling.params(conversation.reasons()), maxTokens,
                    sampling.stop, ignoreEos);
            Session session = new Session(model, modelOptions.kvCacheType());
            PrintWriter out = spec.commandLine().getOut();
            AtomicBoolean interrupted = new AtomicBoolean();
            Generator.Result result;
            try (Interrupts ignored = Interrupts.cancelling(interrupted)) {
                if (json) {
                    result = new Generator(conversation.tokenizer()).generate(session, request, piece -> { }, interrupted::get);
                } else {
                    ReasoningSplitter splitter = renderedPrompt != null ? ReasoningSplitter.forPrompt(renderedPrompt)
                            : new ReasoningSplitter(false);
                    ReplyPrinter printer = new ReplyPrinter(out, splitter, hideThink, System.console() != null);
                    result = new Generator(conversation.tokenizer()).generate(session, request, printer::accept, interrupted::get);
                    printer.finish();
                    out.println();
                }
            }
            if (json) {
                printJson(out, ids, result);
            } else {
                spec.commandLine().getErr().println(Stats.line(result));
            }
        }
        return 0;
    }

    private String promptText() throws IOException {
        if (prompt != null) {
            return prompt;
        }
        if (promptFile != null) {
            return Files.readString(Cli.existingFile(promptFile), StandardCharsets.UTF_8);
        }
        if (System.console() != null) {
            // On a terminal, one line is the prompt: nobody should have to know about Ctrl-D.
            PrintWriter err = spec.commandLine().getErr();
            err.print("prompt> ");
            err.flush();
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isBlank()) {
                throw new Cli.UserError("no prompt given (type one, or use -p TEXT or -f FILE)");
            }
            return line;
        }
        return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void printJson(PrintWriter out, int[] promptIds, Generator.Result r) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode o = mapper.createObjectNode();
        o.putPOJO("prompt_ids", promptIds);
        o.putPOJO("ids", r.ids());
        o.put("text", r.text());
        o.put("prefill_tps", r.prefillTokensPerSecond());
        o.put("decode_tps", r.decodeTokensPerSecond());
        o.put("stop_reason", r.stopReason().name().toLowerCase(java.util.Locale.ROOT));
        out.println(mapper.writeValueAsString(o));
        out.flush();
    }
}

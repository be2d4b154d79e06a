package dev.jseek.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.gguf.GgufFile;
import dev.jseek.template.BuiltinTemplate;
import dev.jseek.template.ChatRequest;
import dev.jseek.template.ChatTemplate;
import dev.jseek.template.TemplateException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jseek template}: a conversation rendered through a chat template, byte for byte as the model sees it. */
@Command(name = "template", mixinStandardHelpOptions = true,
        description = {"Render a conversation with a model's chat template (or a template file) and print the prompt exactly, "
            + "with no newline added.",
            "",
            "FILE.json is a JSON array of messages, or an object with \"messages\", optional \"tools\" and other template "
            + "variables (e.g. \"enable_thinking\"); its add_generation_prompt, bos_token and eos_token apply unless the "
            + "options say otherwise.",
            ""})
final class TemplateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    static final class Source {
        @Option(names = {"-m", "--model"}, paramLabel = "MODEL", required = true,
                description = "A GGUF file: its tokenizer.chat_template, else the built-in template for its vocabulary.")
        Path model;

        @Option(names = "--template", paramLabel = "FILE", required = true, description = "A Jinja chat template file.")
        Path template;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--messages", paramLabel = "FILE.json", required = true, description = "The conversation.")
    Path messages;

    @Option(names = "--no-generation-prompt", description = "Do not open the assistant's turn at the end.")
    boolean noGenerationPrompt;

    @Option(names = "--bos-token", paramLabel = "S", description = "The bos_token text (default: the model's).")
    String bosToken;

    @Option(names = "--eos-token", paramLabel = "S", description = "The eos_token text (default: the model's).")
    String eosToken;

    @Option(names = "--now", paramLabel = "DATETIME",
            description = "The time strftime_now() reports, e.g. 2026-11-29T12:00:00 (default: now).")
    String now;

    @Override
    public Integer call() throws IOException {
        Path conversation = Cli.existingFile(messages);
        ChatTemplate template = load().withClock(clock());
        ChatRequest request = readRequest(conversation);
        String prompt;
        try {
            prompt = template.render(request);
        } catch (TemplateException e) {
            throw new Cli.UserError("template error: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(prompt);
        out.flush();
        return 0;
    }

    private ChatTemplate load() throws IOException {
        try {
            if (source.template != null) {
                try {
                    return ChatTemplate.compile(Files.readString(Cli.existingFile(source.template)));
                } catch (CharacterCodingException e) {
                    throw new Cli.UserError(source.template + " is not UTF-8 text");
                }
            }
            try (GgufFile f = GgufFile.open(Cli.existingFile(source.model))) {
                if (!f.metadata().contains("tokenizer.chat_template")) {
                    PrintWriter err = spec.commandLine().getErr();
                    err.println("jseek: " + source.model + " has no chat template; using the built-in "
                            + BuiltinTemplate.forModel(f.metadata()).name().toLowerCase() + " template");
                    err.flush();
                }
                return ChatTemplate.forModel(f.metadata());
            }
        } catch (TemplateException e) {
            throw new Cli.UserError("template error: " + e.getMessage());
        }
    }

    private Clock clock() {
        if (now == null) {
            return Clock.systemDefaultZone();
        }
        try {
            return Clock.fixed(LocalDateTime.parse(now).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new Cli.UserError("--now: expected a date and time like 2026-11-29T12:00:00, got '" + now + "'");
        }
    }

    /** The messages file as a request; the options, when given, win over the file's own keys. */
    private ChatRequest readRequest(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new Cli.UserError("malformed JSON in " + file + ": " + e.getOriginalMessage().lines().findFirst().orElse("")
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        boolean isObject = root != null && root.isObject();
        JsonNode messageList = isObject ? root.get("messages") : root;
        if (messageList == null || !messageList.isArray()) {
            throw new Cli.UserError(file + ": expected a JSON array of messages, or an object with a \"messages\" array");
        }
        JsonNode toolList = isObject ? root.get("tools") : null;
        if (toolList != null && !toolList.isNull() && !toolList.isArray()) {
            throw new Cli.UserError(file + ": \"tools\" must be an array or null");
        }
        JsonNode flag = isObject ? root.get("add_generation_prompt") : null;
        if (flag != null && !flag.isBoolean()) {
            throw new Cli.UserError(file + ": \"add_generation_prompt\" must be true or false");
        }
        Map<String, Object> variables = new LinkedHashMap<>();
        if (isObject) {
            root.properties().forEach(e -> variables.put(e.getKey(), mapper.convertValue(e.getValue(), Object.class)));
            variables.keySet().removeAll(List.of("messages", "tools", "add_generation_prompt"));
        }
        if (bosToken != null) {
            variables.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            variables.put("eos_token", eosToken);
        }
        boolean addGenerationPrompt = !noGenerationPrompt && (flag == null || flag.booleanValue());
        List<Map<String, Object>> tools = toolList == null || toolList.isNull() ? null : objects(file, "tools", toolList, mapper);
        return new ChatRequest(objects(file, "messages", messageList, mapper), tools, addGenerationPrompt, variables);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(Path file, String what, JsonNode array, ObjectMapper mapper) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (JsonNode item : array) {
            if (!item.isObject()) {
                throw new Cli.UserError(file + ": every entry of \"" + what + "\" must be a JSON object, found " + item.getNodeType().name().toLowerCase());
            }
            items.add(mapper.convertValue(item, Map.class));
        }
        return items;
    }
}

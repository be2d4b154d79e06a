package dev.jseek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jseek.cli.InspectCommandTest.Run;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code jseek template} prints every reference rendering exactly, and bad input gets one line. */
class TemplateCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The clock of the reference renderings (Llama 3.x prints today's date). */
    private static final String REFERENCE_NOW = "2026-11-29T12:00:00";

    static Stream<Arguments> renders() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(TestData.file("templates/renders.json").toFile())) {
            cases.add(Arguments.of(entry.get("template").asText(), entry.get("case").asText(),
                    entry.get("add_generation_prompt").asBoolean(), entry));
        }
        return cases.stream();
    }

    /**
     * The reference context goes into the messages file, except what the options can say: the
     * generation prompt flag and string BOS/EOS tokens travel as options.
     */
    @ParameterizedTest(name = "{0} {1} agp={2}")
    @MethodSource("renders")
    void printsTheReferenceRendering(String template, String caseName, boolean addGenerationPrompt, JsonNode entry,
                                     @TempDir Path dir) throws IOException {
        ObjectNode context = entry.get("context").deepCopy();
        List<String> args = new ArrayList<>(List.of("template", "--template", TestData.file("templates/" + template).toString(),
                "--now", REFERENCE_NOW));
        context.remove("add_generation_prompt");
        if (!addGenerationPrompt) {
            args.add("--no-generation-prompt");
        }
        for (String token : List.of("bos_token", "eos_token")) {
            if (context.get(token).isTextual()) {
                args.addAll(List.of("--" + token.replace('_', '-'), context.remove(token).asText()));
            }
        }
        Path messages = dir.resolve("messages.json");
        JSON.writeValue(messages.toFile(), context);
        args.addAll(List.of("--messages", messages.toString()));

        Run r = InspectCommandTest.run(args.toArray(String[]::new));
        if (!entry.get("expected").isNull()) {
            assertEquals(0, r.code(), r.err());
            assertEquals(entry.get("expected").asText(), r.out());
            return;
        }
        JsonNode error = entry.get("error");
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("jseek: template error: " + error.get("type").asText() + ": " + error.get("message").asText()), r.err());
    }

    @Test
    void modelsOwnTemplateAndSpecialTokens(@TempDir Path dir) throws IOException {
        Path messages = dir.resolve("m.json");
        Files.writeString(messages, """
                [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What is 2+2?"}]""");
        Run r = InspectCommandTest.run("template", "-m", TestData.file("tokenizer/ggml-vocab-deepseek-v3.gguf").toString(),
                "--messages", messages.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertEquals("<｜begin▁of▁sentence｜>You are a helpful assistant.<｜User｜>What is 2+2?<｜Assistant｜>", r.out());
    }

    @Test
    void modelWithoutTemplateSaysWhichBuiltinItUses(@TempDir Path dir) throws IOException {
        Path messages = dir.resolve("m.json");
        Files.writeString(messages, """
                {"messages": [{"role": "user", "content": "Hi"}], "add_generation_prompt": false}""");
        Path model = TestData.file("models/qwen2.F32.gguf");
        Run r = InspectCommandTest.run("template", "-m", model.toString(), "--messages", messages.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("jseek: " + model + " has no chat template; using the built-in chatml template", r.err().strip());
        assertEquals("<|im_start|>user\nHi<|im_end|>\n", r.out());
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) throws IOException {
        Path template = dir.resolve("t.jinja");
        Files.writeString(template, "{% for m in messages %}{{ m.content }}{% endfor %}");
        Path good = dir.resolve("good.json");
        Files.writeString(good, "[{\"role\": \"user\", \"content\": \"Hi\"}]");
        Path malformed = dir.resolve("malformed.json");
        Files.writeString(malformed, "[{\"role\": \"user\",\n \"content\": }]");
        Path notMessages = dir.resolve("not-messages.json");
        Files.writeString(notMessages, "{\"role\": \"user\"}");
        Path notObjects = dir.resolve("not-objects.json");
        Files.writeString(notObjects, "[\"Hi\"]");
        Path broken = dir.resolve("broken.jinja");
        Files.writeString(broken, "{% if messages %}\n{{ messages[0].content }");

        assertOneLine(InspectCommandTest.run("template", "--template", template.toString(), "--messages", "no-such.json"),
                "jseek: no such file: no-such.json");
        assertOneLine(InspectCommandTest.run("template", "--template", "no-such.jinja", "--messages", good.toString()),
                "jseek: no such file: no-such.jinja");
        assertOneLine(InspectCommandTest.run("template", "--template", template.toString(), "--messages", malformed.toString()),
                "jseek: malformed JSON in " + malformed + ": Unexpected character ('}' (code 125)): expected a value (line 2, column 13)");
        assertOneLine(InspectCommandTest.run("template", "--template", template.toString(), "--messages", notMessages.toString()),
                "jseek: " + notMessages + ": expected a JSON array of messages, or an object with a \"messages\" array");
        assertOneLine(InspectCommandTest.run("template", "--template", template.toString(), "--messages", notObjects.toString()),
                "jseek: " + notObjects + ": every entry of \"messages\" must be a JSON object, found string");
        assertOneLine(InspectCommandTest.run("template", "--template", broken.toString(), "--messages", good.toString()),
                "jseek: template error: TemplateSyntaxError: unexpected '}' (template line 2)");
        assertOneLine(InspectCommandTest.run("template", "--template", template.toString(), "--messages", good.toString(), "--now", "today"),
                "jseek: --now: expected a date and time like 2026-11-29T12:00:00, got 'today'");
    }

    @Test
    void exactlyOneTemplateSourceIsRequired(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.json");
        Files.writeString(good, "[]");
        Run neither = InspectCommandTest.run("template", "--messages", good.toString());
        assertEquals(2, neither.code());
        assertEquals(1, neither.err().strip().lines().count(), neither.err());
        Run both = InspectCommandTest.run("template", "-m", "a.gguf", "--template", "t.jinja", "--messages", good.toString());
        assertEquals(2, both.code());
        assertEquals(1, both.err().strip().lines().count(), both.err());
    }

    private static void assertOneLine(Run r, String expected) {
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals(expected, r.err().strip());
    }
}

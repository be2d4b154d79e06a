package dev.jseek.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jseek.testdata.TemplateReference;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reference rendering of {@code templates/renders.json}: 14 real chat templates x 13
 * conversations x add_generation_prompt, byte for byte, or the error jinja2 raised. Each template
 * is parsed once and rendered for all its cases.
 */
class TemplateRendersTest {

    private static final Map<String, ChatTemplate> PARSED = new HashMap<>();

    static Stream<Arguments> renders() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode entry : TemplateReference.JSON.readTree(TestData.file("templates/renders.json").toFile())) {
            cases.add(Arguments.of(entry.get("template").asText(), entry.get("case").asText(),
                    entry.get("add_generation_prompt").asBoolean(), entry));
        }
        return cases.stream();
    }

    static synchronized ChatTemplate template(String name) {
        return PARSED.computeIfAbsent(name, n -> {
            try {
                return ChatTemplate.compile(Files.readString(TestData.file("templates/" + n)))
                        .withClock(TemplateReference.CLOCK);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @ParameterizedTest(name = "{0} {1} agp={2}")
    @MethodSource("renders")
    void rendersLikeTransformers(String templateName, String caseName, boolean addGenerationPrompt, JsonNode entry) {
        ChatTemplate template = template(templateName);
        ChatRequest request = TemplateReference.request(entry.get("context"));
        if (!entry.get("expected").isNull()) {
            assertEquals(entry.get("expected").asText(), template.render(request));
            return;
        }
        TemplateException e = assertThrows(TemplateException.class, () -> template.render(request));
        JsonNode error = entry.get("error");
        assertEquals(error.get("type").asText() + ": " + error.get("message").asText(), e.kind().pythonName() + ": " + e.detail());
    }
}

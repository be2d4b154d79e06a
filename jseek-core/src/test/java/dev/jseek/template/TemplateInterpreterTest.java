package dev.jseek.template;

import dev.jseek.testdata.TemplateReference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jinja behaviour beyond the shared probes (filters, methods, numbers, scoping, whitespace, errors),
 * in {@code interpreter-cases.json}. The expected outputs and errors there were produced by jinja2
 * 3.1.6 configured as transformers configures it; error type and message must match, except the
 * wording of syntax errors.
 */
class TemplateInterpreterTest {

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        try (InputStream in = TemplateInterpreterTest.class.getResourceAsStream("interpreter-cases.json")) {
            for (JsonNode c : TemplateReference.JSON.readTree(in)) {
                cases.add(Arguments.of(c.get("template").asText(), c));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void behavesLikeJinja2(String source, JsonNode c) {
        Map<String, Object> context = TemplateReference.plain(c.get("context"));
        if (c.has("expected")) {
            assertEquals(c.get("expected").asText(), Template.parse(source).render(context, TemplateReference.CLOCK));
            return;
        }
        TemplateException e = assertThrows(TemplateException.class,
                () -> Template.parse(source).render(context, TemplateReference.CLOCK));
        JsonNode error = c.get("error");
        if (error.get("type").asText().equals("TemplateSyntaxError")) {
            // How a parse error is worded is ours; that it is one is jinja2's.
            assertEquals(TemplateException.Kind.SYNTAX, e.kind(), e.getMessage());
            return;
        }
        assertEquals(error.get("type").asText() + ": " + error.get("message").asText(), e.kind().pythonName() + ": " + e.detail());
    }
}

package dev.jseek.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jseek.testdata.TemplateReference;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every snippet of {@code templates/probes.json} renders as jinja2 renders it, or fails as jinja2 fails. */
class TemplateProbesTest {

    static Stream<Arguments> probes() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode probe : TemplateReference.JSON.readTree(TestData.file("templates/probes.json").toFile())) {
            cases.add(Arguments.of(probe.get("id").asText(), probe.get("construct").asText(), probe));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("probes")
    void rendersLikeJinja2(String id, String construct, JsonNode probe) {
        String source = probe.get("template").asText();
        Map<String, Object> context = TemplateReference.plain(probe.get("context"));
        if (!probe.get("expected").isNull()) {
            assertEquals(probe.get("expected").asText(), Template.parse(source).render(context, TemplateReference.CLOCK));
            return;
        }
        TemplateException e = assertThrows(TemplateException.class, () -> Template.parse(source).render(context, TemplateReference.CLOCK));
        JsonNode error = probe.get("error");
        assertEquals(error.get("type").asText() + ": " + error.get("message").asText(), e.kind().pythonName() + ": " + e.detail());
    }
}

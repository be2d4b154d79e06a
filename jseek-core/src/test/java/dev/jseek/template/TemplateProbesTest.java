package dev.jseek.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every snippet of {@code templates/probes.json} renders as jinja2 renders it, or fails as jinja2 fails. */
class TemplateProbesTest {

    /** The reference renders' clock: 2026-11-29 12:00:00. */
    static final Clock REFERENCE_CLOCK = Clock.fixed(LocalDateTime.of(2026, 11, 29, 12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

    static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> probes() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode probe : JSON.readTree(TestData.file("templates/probes.json").toFile())) {
            cases.add(Arguments.of(probe.get("id").asText(), probe.get("construct").asText(), probe));
        }
        return cases.stream();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> plain(JsonNode node) {
        return JSON.convertValue(node, Map.class);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("probes")
    void rendersLikeJinja2(String id, String construct, JsonNode probe) {
        String source = probe.get("template").asText();
        Map<String, Object> context = plain(probe.get("context"));
        if (!probe.get("expected").isNull()) {
            assertEquals(probe.get("expected").asText(), Template.parse(source).render(context, REFERENCE_CLOCK));
            return;
        }
        TemplateException e = assertThrows(TemplateException.class, () -> Template.parse(source).render(context, REFERENCE_CLOCK));
        JsonNode error = probe.get("error");
        assertEquals(error.get("type").asText() + ": " + error.get("message").asText(), e.kind().pythonName() + ": " + e.detail());
    }
}

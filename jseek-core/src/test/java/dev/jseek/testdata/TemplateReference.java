package dev.jseek.testdata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.template.ChatRequest;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How the template references (templates/README.md) were rendered: their clock and their contexts. */
public final class TemplateReference {

    /** The reference renders' clock: 2026-11-29 12:00:00. */
    public static final Clock CLOCK = Clock.fixed(LocalDateTime.of(2026, 11, 29, 12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

    public static final ObjectMapper JSON = new ObjectMapper();

    private TemplateReference() {
    }

    /** A JSON object as plain Java maps, lists, strings, numbers, booleans and nulls. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> plain(JsonNode node) {
        return JSON.convertValue(node, Map.class);
    }

    /** A reference's keyword arguments as a request: everything beyond messages, tools and the flag is an extra variable. */
    @SuppressWarnings("unchecked")
    public static ChatRequest request(JsonNode context) {
        Map<String, Object> variables = new LinkedHashMap<>(plain(context));
        List<Map<String, Object>> messages = (List<Map<String, Object>>) variables.remove("messages");
        List<Map<String, Object>> tools = (List<Map<String, Object>>) variables.remove("tools");
        boolean addGenerationPrompt = (Boolean) variables.remove("add_generation_prompt");
        return new ChatRequest(messages, tools, addGenerationPrompt, variables);
    }
}

package dev.jseek.template;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a chat template renders: the messages (maps as in the OpenAI chat format: {@code role},
 * {@code content}, and whatever else templates read, e.g. {@code tool_calls},
 * {@code reasoning_content}), the tool definitions or null, whether to open the assistant's turn,
 * and extra template variables such as {@code enable_thinking} (which may also override
 * {@code bos_token}, {@code eos_token} or {@code documents}).
 */
public record ChatRequest(List<? extends Map<String, ?>> messages, List<? extends Map<String, ?>> tools,
                          boolean addGenerationPrompt, Map<String, ?> variables) {

    public ChatRequest {
        messages = List.copyOf(messages);
        tools = tools == null ? null : List.copyOf(tools);
        // Values may be null (Python None), which Map.copyOf refuses.
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        for (String reserved : List.of("messages", "tools", "add_generation_prompt")) {
            if (variables.containsKey(reserved)) {
                throw new IllegalArgumentException("'" + reserved + "' is a field of the request, not an extra variable");
            }
        }
    }

    /** Messages alone, opening the assistant's turn. */
    public static ChatRequest of(List<? extends Map<String, ?>> messages) {
        return new ChatRequest(messages, null, true, Map.of());
    }
}

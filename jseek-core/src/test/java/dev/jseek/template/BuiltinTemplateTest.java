package dev.jseek.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jseek.gguf.GgufFile;
import dev.jseek.testdata.TemplateReference;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which template a GGUF gets: its own when it has one, else the built-in for its vocabulary; and what the built-ins render. */
class BuiltinTemplateTest {

    private static final List<Map<String, Object>> CONVERSATION = List.of(
            Map.of("role", "system", "content", "Be brief."),
            Map.of("role", "user", "content", "Hi"),
            Map.of("role", "assistant", "content", "<think>\ngreet\n</think>\n\nHello!"),
            Map.of("role", "user", "content", "2+2?"));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "models/deepseek2-v3.F32.gguf, DEEPSEEK3",
        "models/deepseek2-lite.F32.gguf, DEEPSEEK2",
        "models/qwen2.F32.gguf, CHATML",
        "models/qwen3.F32.gguf, CHATML",
        "models/llama3.F32.gguf, LLAMA3",
        "models/llama-spm.F32.gguf, LLAMA2",
        "tokenizer/ggml-vocab-deepseek-llm.gguf, DEEPSEEK2",
        "tokenizer/ggml-vocab-deepseek-coder.gguf, DEEPSEEK_CODER",
        "tokenizer/ggml-vocab-gpt-2.gguf, CHATML",
    })
    void fallbackFollowsVocabularyAndArchitecture(String file, BuiltinTemplate expected) throws IOException {
        try (GgufFile f = GgufFile.open(TestData.file(file))) {
            assertEquals(expected, BuiltinTemplate.forModel(f.metadata()));
            assertEquals(expected.source(), ChatTemplate.forModel(f.metadata()).source());
        }
    }

    @Test
    void modelWithoutTemplateRendersBuiltinWithItsOwnSpecialTokens() throws IOException {
        try (GgufFile f = GgufFile.open(TestData.file("models/deepseek2-v3.F32.gguf"))) {
            ChatTemplate template = ChatTemplate.forModel(f.metadata());
            assertEquals("<｜begin▁of▁sentence｜>", template.bosToken());
            assertEquals("<｜begin▁of▁sentence｜>Be brief.<｜User｜>Hi<｜Assistant｜>\n\nHello!<｜end▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜>",
                    template.render(ChatRequest.of(CONVERSATION)));
        }
    }

    /** A vocabulary file that carries its template renders exactly the reference, with the file's own BOS/EOS. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "tokenizer/ggml-vocab-deepseek-v3.gguf, deepseek-ai-DeepSeek-V3.jinja",
        "tokenizer/ggml-vocab-qwen3.gguf, Qwen-Qwen3-0.6B.jinja",
    })
    void embeddedTemplateWinsAndMatchesReference(String file, String reference) throws IOException {
        try (GgufFile f = GgufFile.open(TestData.file(file))) {
            ChatTemplate template = ChatTemplate.forModel(f.metadata()).withClock(TemplateReference.CLOCK);
            assertEquals(Files.readString(TestData.file("templates/" + reference)), template.source());
            int compared = 0;
            for (JsonNode entry : TemplateReference.JSON.readTree(TestData.file("templates/renders.json").toFile())) {
                if (entry.get("template").asText().equals(reference) && !entry.get("expected").isNull()
                        && !entry.get("context").has("enable_thinking")) {
                    ChatRequest recorded = TemplateReference.request(entry.get("context"));
                    // Only the conversation comes from the reference; BOS/EOS come from the GGUF.
                    ChatRequest request = new ChatRequest(recorded.messages(), recorded.tools(), recorded.addGenerationPrompt(), Map.of());
                    assertEquals(entry.get("expected").asText(), template.render(request), entry.get("case").asText());
                    compared++;
                }
            }
            assertTrue(compared >= 18, "compared " + compared);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        DEEPSEEK3      | "<s>Be brief.<｜User｜>Hi<｜Assistant｜>\\n\\nHello!<｜end▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜>"
        DEEPSEEK2      | "<s>Be brief.\\n\\nUser: Hi\\n\\nAssistant: <think>\\ngreet\\n</think>\\n\\nHello!</s>User: 2+2?\\n\\nAssistant:"
        DEEPSEEK_CODER | "<s>Be brief.\\n### Instruction:\\nHi\\n### Response:\\n<think>\\ngreet\\n</think>\\n\\nHello!\\n<|EOT|>\\n### Instruction:\\n2+2?\\n### Response:\\n"
        CHATML         | "<|im_start|>system\\nBe brief.<|im_end|>\\n<|im_start|>user\\nHi<|im_end|>\\n<|im_start|>assistant\\n<think>\\ngreet\\n</think>\\n\\nHello!<|im_end|>\\n<|im_start|>user\\n2+2?<|im_end|>\\n<|im_start|>assistant\\n"
        LLAMA3         | "<s><|start_header_id|>system<|end_header_id|>\\n\\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\\n\\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\\n\\n<think>\\ngreet\\n</think>\\n\\nHello!<|eot_id|><|start_header_id|>user<|end_header_id|>\\n\\n2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\\n\\n"
        LLAMA2         | "<s>[INST] <<SYS>>\\nBe brief.\\n<</SYS>>\\n\\nHi [/INST] <think>\\ngreet\\n</think>\\n\\nHello! </s><s>[INST] 2+2? [/INST]"
        """)
    void builtinsRenderTheirTurnFormat(BuiltinTemplate builtin, String expected) {
        ChatTemplate template = ChatTemplate.compile(builtin.source()).withSpecialTokens("<s>", "</s>");
        assertEquals(expected.replace("\\n", "\n"), template.render(ChatRequest.of(CONVERSATION)));
    }
}

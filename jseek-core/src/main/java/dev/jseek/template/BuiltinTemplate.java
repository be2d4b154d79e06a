package dev.jseek.template;

import dev.jseek.gguf.GgufMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Small chat templates for GGUF files that carry no {@code tokenizer.chat_template}, chosen by the
 * vocabulary (its pre-tokenizer names the model family) and then the architecture. They cover
 * system, user and assistant turns only; a model's own template, when present, always wins.
 */
public enum BuiltinTemplate {

    /** DeepSeek-V3 and R1: {@code <｜User｜>} / {@code <｜Assistant｜>} turns after the system prompt. */
    DEEPSEEK3("deepseek3.jinja"),
    /** DeepSeek LLM and V2: {@code User: ...} / {@code Assistant: ...} paragraphs. */
    DEEPSEEK2("deepseek2.jinja"),
    /** DeepSeek Coder (v1) instruct: {@code ### Instruction:} / {@code ### Response:}. */
    DEEPSEEK_CODER("deepseek-coder.jinja"),
    /** Qwen and the fallback for anything unrecognized (as llama.cpp falls back): {@code <|im_start|>role}. */
    CHATML("chatml.jinja"),
    /** Llama 3.x: header tokens around each role, {@code <|eot_id|>} after each turn. */
    LLAMA3("llama3.jinja"),
    /** Llama 2 chat (SentencePiece vocabularies): {@code [INST] ... [/INST]} with a {@code <<SYS>>} block. */
    LLAMA2("llama2.jinja");

    private final String resource;

    BuiltinTemplate(String resource) {
        this.resource = resource;
    }

    /** The built-in template that fits a model's vocabulary and architecture. */
    public static BuiltinTemplate forModel(GgufMetadata metadata) {
        String pre = metadata.getString("tokenizer.ggml.pre", "");
        String tokenizerModel = metadata.getString("tokenizer.ggml.model", "");
        String architecture = metadata.getString("general.architecture", "");
        return switch (pre) {
            case "deepseek-v3" -> DEEPSEEK3;
            case "deepseek-llm" -> DEEPSEEK2;
            case "deepseek-coder" -> DEEPSEEK_CODER;
            case "llama-bpe" -> LLAMA3;
            default -> {
                if (architecture.startsWith("qwen") || pre.startsWith("qwen")) {
                    yield CHATML;
                }
                if (architecture.equals("llama") && tokenizerModel.equals("llama")) {
                    yield LLAMA2;
                }
                yield CHATML;
            }
        };
    }

    /** The template text. */
    public String source() {
        try (InputStream in = BuiltinTemplate.class.getResourceAsStream("builtin/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("built-in template resource missing: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

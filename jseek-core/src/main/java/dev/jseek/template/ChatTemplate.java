package dev.jseek.template;

import dev.jseek.gguf.GgufMetadata;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's chat template, parsed once and rendered for any number of conversations the way
 * Hugging Face transformers' {@code apply_chat_template} renders it: the template sees
 * {@code messages}, {@code tools}, {@code documents}, {@code add_generation_prompt}, the special
 * tokens {@code bos_token} and {@code eos_token} (when the vocabulary has them) and any extra
 * variables; {@code raise_exception} and {@code strftime_now} are available. Immutable and
 * thread-safe.
 */
public final class ChatTemplate {

    private final String source;
    private final Template template;
    private final String bosToken;
    private final String eosToken;
    private final Clock clock;

    private ChatTemplate(String source, Template template, String bosToken, String eosToken, Clock clock) {
        this.source = source;
        this.template = template;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.clock = clock;
    }

    /** Parses a template; no special tokens, the system clock. */
    public static ChatTemplate compile(String source) {
        return new ChatTemplate(source, Template.parse(source), null, null, Clock.systemDefaultZone());
    }

    /**
     * The template a model file carries in {@code tokenizer.chat_template}, or else the
     * {@link BuiltinTemplate} for its vocabulary; BOS and EOS are the vocabulary's token texts.
     */
    public static ChatTemplate forModel(GgufMetadata metadata) {
        String source = metadata.contains("tokenizer.chat_template") ? metadata.getString("tokenizer.chat_template")
                : BuiltinTemplate.forModel(metadata).source();
        return compile(source).withSpecialTokens(tokenText(metadata, "tokenizer.ggml.bos_token_id"),
                tokenText(metadata, "tokenizer.ggml.eos_token_id"));
    }

    private static String tokenText(GgufMetadata metadata, String idKey) {
        if (!metadata.contains(idKey) || !metadata.contains("tokenizer.ggml.tokens")) {
            return null;
        }
        String[] tokens = metadata.getStringArray("tokenizer.ggml.tokens");
        long id = metadata.getLong(idKey);
        return id >= 0 && id < tokens.length ? tokens[(int) id] : null;
    }

    /** The same template with these BOS/EOS texts; null leaves the variable undefined, as for a tokenizer without one. */
    public ChatTemplate withSpecialTokens(String bosToken, String eosToken) {
        return new ChatTemplate(source, template, bosToken, eosToken, clock);
    }

    /** The same template reading the date for {@code strftime_now} from {@code clock}. */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(source, template, bosToken, eosToken, clock);
    }

    public String source() {
        return source;
    }

    public String bosToken() {
        return bosToken;
    }

    public String eosToken() {
        return eosToken;
    }

    /** The prompt text; a {@link TemplateException} when the template fails (it never renders a partial prompt). */
    public String render(ChatRequest request) {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("messages", request.messages());
        variables.put("tools", request.tools());
        variables.put("documents", null);
        variables.put("add_generation_prompt", request.addGenerationPrompt());
        if (bosToken != null) {
            variables.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            variables.put("eos_token", eosToken);
        }
        variables.putAll(request.variables());
        return template.render(variables, clock);
    }
}

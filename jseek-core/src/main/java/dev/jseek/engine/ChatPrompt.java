package dev.jseek.engine;

import dev.jseek.template.ChatRequest;
import dev.jseek.template.ChatTemplate;
import dev.jseek.tokenizer.TokenType;
import dev.jseek.tokenizer.Tokenizer;
import dev.jseek.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a conversation with the model's chat template and tokenizes it so that the template's
 * own control tokens ({@code <｜User｜>}, {@code <|im_start|>}, ...) become tokens while the same
 * strings inside message contents stay plain text: whoever writes a message cannot forge a turn.
 * Control strings in contents are swapped for private-use placeholders before rendering, and the
 * places they come back to are tokenized as plain text.
 */
public final class ChatPrompt {

    private static final char OPEN = '\uE000';
    private static final char CLOSE = '\uE001';

    private final ChatTemplate template;
    private final Tokenizer tokenizer;
    /** Control-token texts, longest first, so the longest match is escaped. */
    private final List<String> controlTexts;
    /** First characters of the control texts: only there can one start. */
    private final String firstChars;

    public ChatPrompt(ChatTemplate template, Tokenizer tokenizer) {
        this.template = template;
        this.tokenizer = tokenizer;
        Vocabulary v = tokenizer.vocabulary();
        List<String> texts = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) {
            if (v.type(id) == TokenType.CONTROL && !v.token(id).isEmpty()) {
                texts.add(v.token(id));
            }
        }
        texts.sort(Comparator.comparingInt(String::length).reversed());
        this.controlTexts = texts;
        StringBuilder first = new StringBuilder();
        texts.stream().map(t -> t.charAt(0)).distinct().forEach(first::append);
        this.firstChars = first.toString();
    }

    public ChatTemplate template() {
        return template;
    }

    /** A rendered prompt: its text (exactly the template's rendering) and its token ids. */
    public record Prompt(String text, int[] ids) {
    }

    /** Renders and tokenizes {@code request}; BOS comes from the template's text where it writes one. */
    public Prompt encode(ChatRequest request) {
        List<String> originals = new ArrayList<>();
        List<Map<String, Object>> escaped = new ArrayList<>();
        for (Map<String, ?> m : request.messages()) {
            Map<String, Object> copy = new LinkedHashMap<>(m);
            if (m.get("content") instanceof String content) {
                copy.put("content", escape(content, originals));
            }
            escaped.add(copy);
        }
        String rendered = template.render(new ChatRequest(escaped, request.tools(), request.addGenerationPrompt(),
                request.variables()));
        StringBuilder text = new StringBuilder(rendered.length());
        List<int[]> plain = new ArrayList<>();
        for (int i = 0; i < rendered.length(); i++) {
            char c = rendered.charAt(i);
            int close = c == OPEN ? rendered.indexOf(CLOSE, i) : -1;
            if (close > i + 1 && isNumber(rendered, i + 1, close)) {
                String original = originals.get(Integer.parseInt(rendered, i + 1, close, 10));
                plain.add(new int[] {text.length(), text.length() + original.length()});
                text.append(original);
                i = close;
            } else {
                text.append(c);
            }
        }
        int[] starts = plain.stream().mapToInt(r -> r[0]).toArray();
        int[] ends = plain.stream().mapToInt(r -> r[1]).toArray();
        String prompt = text.toString();
        return new Prompt(prompt, tokenizer.encodeWithPlainRegions(prompt, false, starts, ends));
    }

    /** Replaces control-token texts (and our own placeholder marks) in {@code s} by numbered placeholders. */
    private String escape(String s, List<String> originals) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        outer:
        while (i < s.length()) {
            if (s.charAt(i) == OPEN || s.charAt(i) == CLOSE) {
                out.append(placeholder(String.valueOf(s.charAt(i)), originals));
                i++;
                continue;
            }
            for (int k = 0; firstChars.indexOf(s.charAt(i)) >= 0 && k < controlTexts.size(); k++) {
                String control = controlTexts.get(k);
                if (s.startsWith(control, i)) {
                    out.append(placeholder(control, originals));
                    i += control.length();
                    continue outer;
                }
            }
            out.append(s.charAt(i++));
        }
        return out.toString();
    }

    private static String placeholder(String original, List<String> originals) {
        originals.add(original);
        return OPEN + Integer.toString(originals.size() - 1) + CLOSE;
    }

    private static boolean isNumber(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}

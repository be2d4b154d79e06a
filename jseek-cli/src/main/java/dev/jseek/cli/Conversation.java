package dev.jseek.cli;

import dev.jseek.engine.ChatPrompt;
import dev.jseek.model.Model;
import dev.jseek.template.ChatTemplate;
import dev.jseek.tokenizer.Tokenizer;

/** A loaded model with what talking to it needs: its tokenizer and chat template. */
record Conversation(Model model, Tokenizer tokenizer, ChatPrompt prompt) {

    static Conversation of(Model model) {
        Tokenizer tokenizer = Tokenizer.load(model.file().metadata());
        ChatTemplate template = ChatTemplate.forModel(model.file().metadata());
        return new Conversation(model, tokenizer, new ChatPrompt(template, tokenizer));
    }

    /** R1-style models think in {@code <think>} blocks; DeepSeek advises other sampling defaults for them. */
    boolean reasons() {
        return prompt.template().source().contains("<think>");
    }
}

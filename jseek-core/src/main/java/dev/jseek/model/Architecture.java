package dev.jseek.model;

import java.util.Map;

/**
 * What sets one architecture apart from the others; everything not listed here is shared.
 * Optional q/k/v biases are taken wherever the file has them (qwen2 always does), as llama.cpp does.
 *
 * @param ropeLayout how RoPE pairs the elements of a head (llama.cpp's per-architecture choice)
 * @param qkNorm     an RMSNorm over each query and key head before RoPE (qwen3)
 * @param deepseek   multi-head latent attention and mixture-of-experts blocks (deepseek2)
 */
public record Architecture(String name, Rope.Layout ropeLayout, boolean qkNorm, boolean deepseek) {

    private static final Map<String, Architecture> KNOWN = Map.of(
            "llama", new Architecture("llama", Rope.Layout.NORMAL, false, false),
            "qwen2", new Architecture("qwen2", Rope.Layout.NEOX, false, false),
            "qwen3", new Architecture("qwen3", Rope.Layout.NEOX, true, false),
            "deepseek2", new Architecture("deepseek2", Rope.Layout.NORMAL, false, true));

    public static Architecture forName(String name) {
        Architecture a = KNOWN.get(name);
        if (a == null) {
            throw new ModelException("architecture '" + name + "' is not supported (supported: "
                    + String.join(", ", KNOWN.keySet().stream().sorted().toList()) + ")");
        }
        return a;
    }
}

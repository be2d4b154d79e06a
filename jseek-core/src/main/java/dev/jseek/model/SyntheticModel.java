package dev.jseek.model;

import dev.jseek.gguf.GgufValue;
import dev.jseek.gguf.GgufValue.GgufArray;
import dev.jseek.gguf.GgufValueType;
import dev.jseek.gguf.GgufWriter;
import dev.jseek.tensor.GgmlType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Random-weight models with the real shapes of released models, written through our GGUF writer
 * with llama.cpp's tensor names: the values are noise, but the sizes, and so the speed and
 * memory, are real. Weights come from a counter-based generator, so a row costs no state and
 * the same seed gives the same file.
 */
public final class SyntheticModel {

    /**
     * A released model's shape. For deepseek2: {@code qLoraRank} 0 = plain queries; the MoE fields
     * are zero for dense models.
     */
    public record Shape(String name, String arch, String pre, int embedding, int layers, int heads, int kvHeads,
                        int headSize, int feedForward, int vocab, int context, float ropeBase, float rmsEps,
                        boolean tiedOutput, boolean qkvBias,
                        int qLoraRank, int kvLoraRank, int nopeDim, int ropeDim, int valueDim,
                        int leadingDense, int experts, int used, int shared, int expertFeedForward,
                        int groups, int groupsUsed, int gating, boolean normalize, float scale,
                        float yarnFactor, int yarnOriginalContext, float yarnLogMultiplier) {

        static Shape dense(String name, String arch, String pre, int embedding, int layers, int heads, int kvHeads,
                           int headSize, int feedForward, int vocab, int context, float ropeBase, float rmsEps,
                           boolean tiedOutput, boolean qkvBias) {
            return new Shape(name, arch, pre, embedding, layers, heads, kvHeads, headSize, feedForward, vocab, context,
                    ropeBase, rmsEps, tiedOutput, qkvBias, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 0);
        }
    }

    /** The shapes of the configs DeepSeek and its distills were published with. */
    public static final List<Shape> SHAPES = List.of(
            Shape.dense("r1-distill-qwen-1.5b", "qwen2", "qwen2", 1536, 28, 12, 2, 128, 8960, 151936, 131072,
                    10000f, 1e-6f, false, true),
            Shape.dense("r1-distill-qwen-7b", "qwen2", "qwen2", 3584, 28, 28, 4, 128, 18944, 152064, 131072,
                    10000f, 1e-6f, false, true),
            Shape.dense("r1-distill-llama-8b", "llama", "llama-bpe", 4096, 32, 32, 8, 128, 14336, 128256, 131072,
                    500000f, 1e-5f, false, false),
            Shape.dense("r1-0528-qwen3-8b", "qwen3", "qwen2", 4096, 36, 32, 8, 128, 12288, 151936, 131072,
                    1000000f, 1e-6f, false, false),
            new Shape("deepseek-v2-lite", "deepseek2", "deepseek-llm", 2048, 27, 16, 16, 192, 10944, 102400, 163840,
                    10000f, 1e-6f, false, false, 0, 512, 128, 64, 128, 1, 64, 6, 2, 1408, 1, 1, 1, false, 1f,
                    40f, 4096, 0.0707f),
            new Shape("deepseek-v3", "deepseek2", "deepseek-v3", 7168, 61, 128, 128, 192, 18432, 129280, 163840,
                    10000f, 1e-6f, false, false, 1536, 512, 128, 64, 128, 3, 256, 8, 1, 2048, 8, 4, 2, true, 2.5f,
                    40f, 4096, 0.1f),
            // Small shapes for tests: other head counts, GQA ratios, head sizes and expert layouts.
            Shape.dense("tiny-llama-gqa4", "llama", "llama-bpe", 192, 2, 6, 2, 32, 128, 512, 4096, 250000f, 1e-5f, true, false),
            Shape.dense("tiny-qwen2-mha", "qwen2", "qwen2", 160, 2, 5, 5, 32, 96, 512, 4096, 1000000f, 1e-6f, false, true),
            Shape.dense("tiny-qwen3-gqa3", "qwen3", "qwen2", 192, 2, 6, 2, 64, 160, 512, 4096, 1000000f, 1e-6f, true, false),
            new Shape("tiny-deepseek2", "deepseek2", "deepseek-v3", 128, 3, 3, 3, 48, 160, 512, 4096, 10000f, 1e-6f,
                    false, false, 64, 96, 32, 16, 32, 1, 12, 3, 2, 32, 3, 2, 2, true, 1.5f, 16f, 512, 0.1f),
            new Shape("tiny-deepseek2-lite", "deepseek2", "deepseek-llm", 128, 2, 2, 2, 48, 96, 512, 4096, 10000f, 1e-6f,
                    true, false, 0, 64, 32, 16, 64, 1, 6, 2, 1, 64, 1, 1, 1, false, 1f, 40f, 4096, 0.0707f));

    private SyntheticModel() {
    }

    public static Shape shape(String name) {
        return SHAPES.stream().filter(s -> s.name().equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new ModelException("unknown shape '" + name + "' (known: "
                        + String.join(", ", SHAPES.stream().map(Shape::name).toList()) + ")"));
    }

    /**
     * Which type each weight matrix gets: one type for all, or a llama-quantize mix such as
     * Q4_K_M (Q4_K, with Q6_K for the output and for attn_v / ffn_down in the layers where
     * llama.cpp spends more bits).
     */
    public record Scheme(String name, GgmlType base, GgmlType more) {

        public static Scheme of(String name) {
            String n = name.toUpperCase(Locale.ROOT);
            if (n.equals("Q4_K_M")) {
                return new Scheme(n, GgmlType.Q4_K, GgmlType.Q6_K);
            }
            if (n.equals("Q4_K_S")) {
                return new Scheme(n, GgmlType.Q4_K, GgmlType.Q4_K);
            }
            GgmlType t;
            try {
                t = GgmlType.valueOf(n);
            } catch (IllegalArgumentException e) {
                throw new ModelException("unknown tensor type '" + name + "'");
            }
            if (!t.isSupported() || !t.kernel().canQuantize()) {
                throw new ModelException("cannot write " + t + " weights (no quantizer for it)");
            }
            return new Scheme(n, t, t);
        }

        GgmlType type(String tensor, int layer, int layers, long rowLength) {
            boolean moreBits = tensor.equals("output.weight")
                    || ((tensor.contains("attn_v") || tensor.contains("ffn_down")) && usesMoreBits(layer, layers));
            return typeFor(moreBits ? more : base, rowLength);
        }

        /** llama.cpp's use_more_bits: the first and last eighth of the layers, and every third between. */
        private static boolean usesMoreBits(int layer, int layers) {
            return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
        }
    }

    /** Writes a model of {@code shape} with weight matrices typed by {@code scheme} (norms, biases and router stay F32). */
    public static void write(Shape s, Scheme scheme, long seed, Path out) throws IOException {
        GgufWriter w = new GgufWriter();
        metadata(w, s, scheme.name());
        Typing type = new Typing(scheme, s.layers());
        Weights gen = new Weights(seed);
        int e = s.embedding();
        type.add(w, "token_embd.weight", new long[] {e, s.vocab()}, gen.uniform(1.0));
        w.add("output_norm.weight", GgmlType.F32, new long[] {e}, gen.ones());
        if (!s.tiedOutput()) {
            type.add(w, "output.weight", new long[] {e, s.vocab()}, gen.projection(e));
        }
        boolean deepseek = s.arch().equals("deepseek2");
        for (int l = 0; l < s.layers(); l++) {
            String p = "blk." + l + ".";
            type.layer = l;
            w.add(p + "attn_norm.weight", GgmlType.F32, new long[] {e}, gen.ones());
            w.add(p + "ffn_norm.weight", GgmlType.F32, new long[] {e}, gen.ones());
            if (deepseek) {
                latentAttention(w, gen, s, type, p);
            } else {
                attention(w, gen, s, type, p);
            }
            if (deepseek && l >= s.leadingDense()) {
                experts(w, gen, s, type, p);
            } else {
                feedForward(w, gen, type, p, "", e, s.feedForward());
            }
        }
        w.write(out);
    }

    /**
     * The type a matrix with rows of {@code rowLength} gets: {@code type} when its blocks fit the
     * rows, else what llama-quantize falls back to (K-quants need rows of 256).
     */
    static GgmlType typeFor(GgmlType type, long rowLength) {
        if (rowLength % type.blockSize == 0) {
            return type;
        }
        GgmlType fallback = switch (type) {
            case Q2_K, Q3_K, IQ4_XS -> GgmlType.IQ4_NL;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
        return rowLength % fallback.blockSize == 0 ? fallback : GgmlType.F16;
    }

    private static void attention(GgufWriter w, Weights gen, Shape s, Typing type, String p) {
        int e = s.embedding();
        int q = s.heads() * s.headSize();
        int kv = s.kvHeads() * s.headSize();
        type.add(w, p + "attn_q.weight", new long[] {e, q}, gen.projection(e));
        type.add(w, p + "attn_k.weight", new long[] {e, kv}, gen.projection(e));
        type.add(w, p + "attn_v.weight", new long[] {e, kv}, gen.projection(e));
        type.add(w, p + "attn_output.weight", new long[] {q, e}, gen.projection(q));
        if (s.qkvBias()) {
            w.add(p + "attn_q.bias", GgmlType.F32, new long[] {q}, gen.uniform(0.3));
            w.add(p + "attn_k.bias", GgmlType.F32, new long[] {kv}, gen.uniform(0.3));
            w.add(p + "attn_v.bias", GgmlType.F32, new long[] {kv}, gen.uniform(0.1));
        }
        if (s.arch().equals("qwen3")) {
            w.add(p + "attn_q_norm.weight", GgmlType.F32, new long[] {s.headSize()}, gen.ones());
            w.add(p + "attn_k_norm.weight", GgmlType.F32, new long[] {s.headSize()}, gen.ones());
        }
    }

    private static void latentAttention(GgufWriter w, Weights gen, Shape s, Typing type, String p) {
        int e = s.embedding();
        int h = s.heads();
        int qHead = s.nopeDim() + s.ropeDim();
        if (s.qLoraRank() > 0) {
            type.add(w, p + "attn_q_a.weight", new long[] {e, s.qLoraRank()}, gen.projection(e));
            w.add(p + "attn_q_a_norm.weight", GgmlType.F32, new long[] {s.qLoraRank()}, gen.ones());
            type.add(w, p + "attn_q_b.weight", new long[] {s.qLoraRank(), (long) h * qHead}, gen.projection(s.qLoraRank()));
        } else {
            type.add(w, p + "attn_q.weight", new long[] {e, (long) h * qHead}, gen.projection(e));
        }
        type.add(w, p + "attn_kv_a_mqa.weight", new long[] {e, s.kvLoraRank() + s.ropeDim()}, gen.projection(e));
        w.add(p + "attn_kv_a_norm.weight", GgmlType.F32, new long[] {s.kvLoraRank()}, gen.ones());
        type.add(w, p + "attn_k_b.weight", new long[] {s.nopeDim(), s.kvLoraRank(), h}, gen.projection(s.nopeDim()));
        type.add(w, p + "attn_v_b.weight", new long[] {s.kvLoraRank(), s.valueDim(), h}, gen.projection(s.kvLoraRank()));
        type.add(w, p + "attn_output.weight", new long[] {(long) h * s.valueDim(), e}, gen.projection(h * s.valueDim()));
    }

    private static void experts(GgufWriter w, Weights gen, Shape s, Typing type, String p) {
        int e = s.embedding();
        int fe = s.expertFeedForward();
        int n = s.experts();
        w.add(p + "ffn_gate_inp.weight", GgmlType.F32, new long[] {e, n}, gen.projection(e));
        if (s.gating() == 2) {
            w.add(p + "exp_probs_b.bias", GgmlType.F32, new long[] {n}, gen.uniform(0.05));
        }
        type.add(w, p + "ffn_gate_exps.weight", new long[] {e, fe, n}, gen.projection(e));
        type.add(w, p + "ffn_up_exps.weight", new long[] {e, fe, n}, gen.projection(e));
        type.add(w, p + "ffn_down_exps.weight", new long[] {fe, e, n}, gen.projection(fe));
        if (s.shared() > 0) {
            feedForward(w, gen, type, p, "_shexp", e, fe * s.shared());
        }
    }

    private static void feedForward(GgufWriter w, Weights gen, Typing type, String p, String suffix, int e, int hidden) {
        type.add(w, p + "ffn_gate" + suffix + ".weight", new long[] {e, hidden}, gen.projection(e));
        type.add(w, p + "ffn_up" + suffix + ".weight", new long[] {e, hidden}, gen.projection(e));
        type.add(w, p + "ffn_down" + suffix + ".weight", new long[] {hidden, e}, gen.projection(hidden));
    }

    /** The scheme's types for the layer being written. */
    private static final class Typing {
        private final Scheme scheme;
        private final int layers;
        int layer = -1;

        Typing(Scheme scheme, int layers) {
            this.scheme = scheme;
            this.layers = layers;
        }

        /** Adds a weight matrix in the type the scheme gives it (its row length decides the fallbacks). */
        void add(GgufWriter w, String tensor, long[] shape, GgufWriter.RowSource rows) {
            w.add(tensor, scheme.type(tensor, layer, layers, shape[0]), shape, rows);
        }
    }

    private static void metadata(GgufWriter w, Shape s, String typeName) {
        String a = s.arch();
        w.put("general.architecture", GgufValue.ofString(a));
        w.put("general.name", GgufValue.ofString("synthetic " + s.name() + " " + typeName));
        w.put(a + ".context_length", GgufValue.ofUint32(s.context()));
        w.put(a + ".embedding_length", GgufValue.ofUint32(s.embedding()));
        w.put(a + ".block_count", GgufValue.ofUint32(s.layers()));
        w.put(a + ".feed_forward_length", GgufValue.ofUint32(s.feedForward()));
        w.put(a + ".attention.head_count", GgufValue.ofUint32(s.heads()));
        w.put(a + ".rope.freq_base", GgufValue.ofFloat32(s.ropeBase()));
        w.put(a + ".attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(s.rmsEps()));
        w.put(a + ".vocab_size", GgufValue.ofUint32(s.vocab()));
        if (a.equals("deepseek2")) {
            int qHead = s.nopeDim() + s.ropeDim();
            w.put(a + ".attention.head_count_kv", GgufValue.ofUint32(1));
            w.put(a + ".attention.key_length", GgufValue.ofUint32(s.kvLoraRank() + s.ropeDim()));
            w.put(a + ".attention.value_length", GgufValue.ofUint32(s.kvLoraRank()));
            w.put(a + ".attention.key_length_mla", GgufValue.ofUint32(qHead));
            w.put(a + ".attention.value_length_mla", GgufValue.ofUint32(s.valueDim()));
            w.put(a + ".attention.q_lora_rank", GgufValue.ofUint32(s.qLoraRank()));
            w.put(a + ".attention.kv_lora_rank", GgufValue.ofUint32(s.kvLoraRank()));
            w.put(a + ".rope.dimension_count", GgufValue.ofUint32(s.ropeDim()));
            w.put(a + ".leading_dense_block_count", GgufValue.ofUint32(s.leadingDense()));
            w.put(a + ".expert_count", GgufValue.ofUint32(s.experts()));
            w.put(a + ".expert_used_count", GgufValue.ofUint32(s.used()));
            w.put(a + ".expert_shared_count", GgufValue.ofUint32(s.shared()));
            w.put(a + ".expert_feed_forward_length", GgufValue.ofUint32(s.expertFeedForward()));
            w.put(a + ".expert_group_count", GgufValue.ofUint32(s.groups()));
            w.put(a + ".expert_group_used_count", GgufValue.ofUint32(s.groupsUsed()));
            w.put(a + ".expert_gating_func", GgufValue.ofUint32(s.gating()));
            w.put(a + ".expert_weights_norm", GgufValue.ofBool(s.normalize()));
            w.put(a + ".expert_weights_scale", GgufValue.ofFloat32(s.scale()));
            w.put(a + ".rope.scaling.type", GgufValue.ofString("yarn"));
            w.put(a + ".rope.scaling.factor", GgufValue.ofFloat32(s.yarnFactor()));
            w.put(a + ".rope.scaling.original_context_length", GgufValue.ofUint32(s.yarnOriginalContext()));
            w.put(a + ".rope.scaling.yarn_log_multiplier", GgufValue.ofFloat32(s.yarnLogMultiplier()));
        } else {
            w.put(a + ".attention.head_count_kv", GgufValue.ofUint32(s.kvHeads()));
            w.put(a + ".attention.key_length", GgufValue.ofUint32(s.headSize()));
            w.put(a + ".attention.value_length", GgufValue.ofUint32(s.headSize()));
            w.put(a + ".rope.dimension_count", GgufValue.ofUint32(s.headSize()));
        }
        vocabulary(w, s);
    }

    /**
     * A byte-level vocabulary of the model's size: the 256 byte symbols of GPT-2's byte-level BPE,
     * filler tokens, and BOS/EOS at the end. No merges: text tokenizes to bytes.
     */
    private static void vocabulary(GgufWriter w, Shape s) {
        String[] tokens = new String[s.vocab()];
        int[] types = new int[s.vocab()];
        Arrays.fill(types, 1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            tokens[n++] = String.valueOf(byteSymbol(b));
        }
        while (n < s.vocab() - 2) {
            tokens[n] = "<filler " + n + ">";
            n++;
        }
        tokens[n] = "<|bos|>";
        types[n++] = 3;
        tokens[n] = "<|eos|>";
        types[n] = 3;
        w.put("tokenizer.ggml.model", GgufValue.ofString("gpt2"));
        w.put("tokenizer.ggml.pre", GgufValue.ofString(s.pre()));
        w.put("tokenizer.ggml.tokens", GgufValue.ofArray(new GgufArray(GgufValueType.STRING, tokens)));
        w.put("tokenizer.ggml.token_type", GgufValue.ofArray(new GgufArray(GgufValueType.INT32, types)));
        w.put("tokenizer.ggml.merges", GgufValue.ofArray(new GgufArray(GgufValueType.STRING, new String[0])));
        w.put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(s.vocab() - 2));
        w.put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(s.vocab() - 1));
        w.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true));
    }

    /** GPT-2's printable stand-in for a byte: printable Latin-1 maps to itself, the rest to U+0100 onwards. */
    private static char byteSymbol(int b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
            return (char) b;
        }
        int shift = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) {
                shift++;
            }
        }
        return (char) (256 + shift);
    }

    /** Counter-based random rows: a row's values depend only on the seed, the tensor and the row. */
    private static final class Weights {
        private final long seed;
        private long tensor;

        Weights(long seed) {
            this.seed = seed;
        }

        /** Uniform values with the standard deviation of a fan-in of {@code fanIn} (1/sqrt(fanIn)). */
        GgufWriter.RowSource projection(int fanIn) {
            return uniform(1.0 / Math.sqrt(fanIn));
        }

        GgufWriter.RowSource uniform(double std) {
            long id = ++tensor;
            double half = std * Math.sqrt(3.0);
            return (row, out) -> {
                long state = mix(seed ^ mix(id * 0x9E3779B97F4A7C15L + row));
                for (int i = 0; i < out.length; i++) {
                    state += 0x9E3779B97F4A7C15L;
                    out[i] = (float) ((mix(state) >>> 11) * 0x1.0p-53 * 2 - 1) * (float) half;
                }
            };
        }

        GgufWriter.RowSource ones() {
            return (row, out) -> Arrays.fill(out, 1f);
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}

package dev.jseek.tokenizer;

import dev.jseek.gguf.GgufMetadata;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A model's vocabulary as its GGUF metadata describes it, with the special ids and flags resolved
 * the way libllama resolves them (its defaults where a key is absent, its recognition of
 * end-of-turn and fill-in-the-middle tokens by their text).
 */
public final class Vocabulary {

    /** The tokenizer algorithm, {@code tokenizer.ggml.model}. */
    public enum Model {
        /** {@code gpt2}: byte-level BPE with merges. */
        BPE,
        /** {@code llama}: SentencePiece BPE with scores and byte fallback. */
        SENTENCEPIECE
    }

    // Token attributes as libllama keeps them: a token can be both user-defined and control.
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 4;
    static final int USER_DEFINED = 8;
    static final int BYTE = 16;

    /**
     * Texts that make a token the end-of-turn token when {@code tokenizer.ggml.eot_token_id} is
     * absent. libllama takes the first it meets in hash order; the first in this list is taken
     * here (same result for every vocabulary we know: Qwen's {@code <|im_end|>} over
     * {@code <|endoftext|>}, Llama 3's {@code <|eot_id|>} over {@code <|end_of_text|>}).
     */
    private static final List<String> EOT_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    private static final List<String> EOM_TEXTS = List.of("<|eom_id|>");
    private static final List<String> FIM_PREFIX_TEXTS = List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>");
    private static final List<String> FIM_SUFFIX_TEXTS = List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>");
    private static final List<String> FIM_MIDDLE_TEXTS = List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>");
    private static final List<String> FIM_PAD_TEXTS = List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]");
    private static final List<String> FIM_REPO_TEXTS = List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
            "<reponame>");
    private static final List<String> FIM_SEP_TEXTS = List.of("<|file_sep|>");
    /**
     * Texts libllama treats as ending generation wherever they occur. The texts it adds for other
     * model families (gpt-oss, Solar Open, Kimi-K2, Gemma 4, SmolDocling, MiniMax, PaddleOCR) are
     * left out: {@code </s>}, for one, is an ordinary token of Qwen's vocabulary, and a Qwen model
     * writing it must not stop.
     */
    private static final List<String> END_OF_GENERATION_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>",
            "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<｜end▁of▁sentence｜>");

    private final Model model;
    private final String[] tokens;
    private final TokenType[] types;
    private final byte[] attributes;
    private final float[] scores;
    private final Map<String, Integer> ids;
    private final String[] merges;
    private final PreTokenizer preTokenizer;
    private final int bos;
    private final int eos;
    private final int eot;
    private final int unknown;
    private final int padding;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final int[] endOfGeneration;

    private Vocabulary(GgufMetadata md) {
        String modelName = md.contains("tokenizer.ggml.model") ? md.getString("tokenizer.ggml.model") : null;
        if (modelName == null) {
            throw new TokenizerException("no tokenizer in this file (tokenizer.ggml.model is missing)");
        }
        int defaultBos;
        int defaultEos;
        int defaultUnknown;
        boolean addBosByDefault;
        switch (modelName) {
            case "gpt2" -> {
                model = Model.BPE;
                String pre = md.getString("tokenizer.ggml.pre", "default");
                preTokenizer = PreTokenizer.forName(pre);
                if (!md.contains("tokenizer.ggml.merges")) {
                    throw new TokenizerException("BPE vocabulary without merges (tokenizer.ggml.merges is missing)");
                }
                merges = md.getStringArray("tokenizer.ggml.merges");
                defaultBos = 11;
                defaultEos = 11;
                defaultUnknown = -1;
                addBosByDefault = preTokenizer.addBosByDefault();
            }
            case "llama" -> {
                model = Model.SENTENCEPIECE;
                preTokenizer = null;
                merges = new String[0];
                defaultBos = 1;
                defaultEos = 2;
                defaultUnknown = 0;
                addBosByDefault = true;
            }
            default -> throw new TokenizerException("unsupported tokenizer model '" + modelName
                    + "' (tokenizer.ggml.model); supported: gpt2 (byte-level BPE), llama (SentencePiece)");
        }
        if (!md.contains("tokenizer.ggml.tokens")) {
            throw new TokenizerException("no vocabulary in this file (tokenizer.ggml.tokens is missing)");
        }
        tokens = md.getStringArray("tokenizer.ggml.tokens").clone();
        int n = tokens.length;
        scores = readScores(md, n);
        int[] typeValues = md.contains("tokenizer.ggml.token_type") ? md.getIntArray("tokenizer.ggml.token_type") : null;
        if (typeValues != null && typeValues.length < n) {
            throw new TokenizerException("tokenizer.ggml.token_type has " + typeValues.length + " entries for " + n + " tokens");
        }
        types = new TokenType[n];
        attributes = new byte[n];
        ids = HashMap.newHashMap(n);
        for (int id = 0; id < n; id++) {
            if (tokens[id].isEmpty()) {
                tokens[id] = "[EMPTY_" + id + "]";
            }
            Integer previous = ids.putIfAbsent(tokens[id], id);
            if (previous != null) {
                throw new TokenizerException("duplicate token in vocabulary: '" + tokens[id] + "' has ids " + previous + " and " + id);
            }
            types[id] = typeValues == null ? TokenType.NORMAL : TokenType.fromGguf(typeValues[id]);
            attributes[id] = (byte) switch (types[id]) {
                case NORMAL -> NORMAL;
                case UNKNOWN -> UNKNOWN;
                case CONTROL -> CONTROL;
                case USER_DEFINED -> USER_DEFINED;
                case BYTE -> BYTE;
                // Never matched in text nor rendered.
                case UNUSED, UNDEFINED -> 0;
            };
        }

        bos = specialId(md, "tokenizer.ggml.bos_token_id", defaultBos);
        eos = specialId(md, "tokenizer.ggml.eos_token_id", defaultEos);
        unknown = specialId(md, "tokenizer.ggml.unknown_token_id", defaultUnknown);
        padding = specialId(md, "tokenizer.ggml.padding_token_id", -1);
        addBos = md.getBool("tokenizer.ggml.add_bos_token", addBosByDefault);
        addEos = md.getBool("tokenizer.ggml.add_eos_token", false);
        addSpacePrefix = md.getBool("tokenizer.ggml.add_space_prefix", model == Model.SENTENCEPIECE);
        if (addBos && bos < 0) {
            throw new TokenizerException("tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
        }
        if (addEos && eos < 0) {
            throw new TokenizerException("tokenizer.ggml.add_eos_token is true, but tokenizer.ggml.eos_token_id is not set");
        }

        // Recognised by text when no key names them; each recognised token becomes a control token.
        eot = recognise(md, "tokenizer.ggml.eot_token_id", EOT_TEXTS);
        int eom = recognise(md, "tokenizer.ggml.eom_token_id", EOM_TEXTS);
        recognise(md, currentOrDeprecated(md, "tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.prefix_token_id"), FIM_PREFIX_TEXTS);
        recognise(md, currentOrDeprecated(md, "tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.suffix_token_id"), FIM_SUFFIX_TEXTS);
        recognise(md, currentOrDeprecated(md, "tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.middle_token_id"), FIM_MIDDLE_TEXTS);
        int fimPad = recognise(md, "tokenizer.ggml.fim_pad_token_id", FIM_PAD_TEXTS);
        int fimRepo = recognise(md, "tokenizer.ggml.fim_rep_token_id", FIM_REPO_TEXTS);
        int fimSep = recognise(md, "tokenizer.ggml.fim_sep_token_id", FIM_SEP_TEXTS);

        TreeSet<Integer> eog = new TreeSet<>();
        for (int id : new int[] {fimPad, fimRepo, fimSep, eos, eot, eom}) {
            if (id >= 0) {
                eog.add(id);
            }
        }
        for (String text : END_OF_GENERATION_TEXTS) {
            Integer id = ids.get(text);
            if (id != null) {
                eog.add(id);
                attributes[id] |= CONTROL;
            }
        }
        endOfGeneration = eog.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Reads the tokenizer of a GGUF file's metadata. */
    public static Vocabulary fromMetadata(GgufMetadata metadata) {
        try {
            return new Vocabulary(metadata);
        } catch (IllegalArgumentException e) {
            throw new TokenizerException("bad tokenizer metadata: " + e.getMessage());
        }
    }

    private static float[] readScores(GgufMetadata md, int n) {
        String key = "tokenizer.ggml.scores";
        if (!md.contains(key)) {
            return new float[n];
        }
        float[] s;
        if (md.getArray(key).elementType().isInteger()) {
            int[] ints = md.getIntArray(key);
            s = new float[ints.length];
            for (int i = 0; i < ints.length; i++) {
                s[i] = ints[i];
            }
        } else {
            s = md.getFloatArray(key);
        }
        if (s.length < n) {
            throw new TokenizerException(key + " has " + s.length + " entries for " + n + " tokens");
        }
        return s;
    }

    /** The id under {@code key} when present and in range, else {@code fallback} (if in range). */
    private int specialId(GgufMetadata md, String key, int fallback) {
        if (md.contains(key)) {
            long v = md.getLong(key);
            if (v >= 0 && v < tokens.length) {
                return (int) v;
            }
        }
        return fallback < tokens.length ? fallback : -1;
    }

    /** libllama reads the deprecated key after the current one, so the deprecated one wins when both are there. */
    private static String currentOrDeprecated(GgufMetadata md, String key, String deprecatedKey) {
        return md.contains(deprecatedKey) ? deprecatedKey : key;
    }

    /** The id under {@code key}, else the first token whose text is in {@code texts} (made a control token), else -1. */
    private int recognise(GgufMetadata md, String key, List<String> texts) {
        int id = specialId(md, key, -1);
        if (id >= 0) {
            return id;
        }
        for (String text : texts) {
            Integer found = ids.get(text);
            if (found != null) {
                attributes[found] |= CONTROL;
                return found;
            }
        }
        return -1;
    }

    public Model model() {
        return model;
    }

    public int size() {
        return tokens.length;
    }

    /** The token's text as stored in the vocabulary (byte-level or with {@code ▁} for spaces). */
    public String token(int id) {
        return tokens[checkId(id)];
    }

    /** The type the file gives the token. */
    public TokenType type(int id) {
        return types[checkId(id)];
    }

    public float score(int id) {
        return scores[checkId(id)];
    }

    /** The id of a token text, or -1. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /** The pre-tokenizer name of a BPE vocabulary, null for SentencePiece. */
    public String preTokenizerName() {
        return preTokenizer == null ? null : preTokenizer.name();
    }

    /** Beginning-of-sequence id, or -1. */
    public int bos() {
        return bos;
    }

    /** End-of-sequence id, or -1. */
    public int eos() {
        return eos;
    }

    /** End-of-turn id (from metadata or recognised by its text, as libllama does), or -1. */
    public int eot() {
        return eot;
    }

    /** Unknown-token id, or -1. */
    public int unknown() {
        return unknown;
    }

    /** Padding id, or -1. */
    public int padding() {
        return padding;
    }

    /** Whether encoding with special tokens starts with BOS (libllama's default where the key is absent). */
    public boolean addBos() {
        return addBos;
    }

    public boolean addEos() {
        return addEos;
    }

    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    /** Whether generating this token ends the generation (EOS, EOT and the end-of-turn tokens libllama knows). */
    public boolean isEndOfGeneration(int id) {
        return Arrays.binarySearch(endOfGeneration, id) >= 0;
    }

    /** The end-of-generation ids, ascending. */
    public int[] endOfGenerationIds() {
        return endOfGeneration.clone();
    }

    /** Whether the token is a control token (rendered by its text only on request, never produced from plain text). */
    public boolean isControl(int id) {
        return (attributes[checkId(id)] & CONTROL) != 0;
    }

    int attributes(int id) {
        return attributes[id];
    }

    String[] merges() {
        return merges;
    }

    PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    Map<String, Integer> ids() {
        return ids;
    }

    int checkId(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new TokenizerException("token id " + id + " is out of range (the vocabulary has " + tokens.length + " tokens)");
        }
        return id;
    }
}

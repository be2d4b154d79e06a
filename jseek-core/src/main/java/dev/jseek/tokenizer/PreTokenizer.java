package dev.jseek.tokenizer;

import static dev.jseek.tokenizer.CharClass.LETTER;
import static dev.jseek.tokenizer.CharClass.NUMBER;
import static dev.jseek.tokenizer.CharClass.PUNCTUATION;

import dev.jseek.tokenizer.SplitRule.DeepSeekV3Words;
import dev.jseek.tokenizer.SplitRule.Gpt2Words;
import dev.jseek.tokenizer.SplitRule.LlamaWords;
import dev.jseek.tokenizer.SplitRule.OptionalSpaceThenRun;
import dev.jseek.tokenizer.SplitRule.Run;
import dev.jseek.tokenizer.SplitRule.TrailingWhitespace;
import java.util.List;

/**
 * How a byte-level BPE vocabulary cuts text into words before merging, chosen by
 * {@code tokenizer.ggml.pre}: a sequence of split rules, each applied to every piece the previous
 * one left (as llama.cpp's {@code unicode_regex_split} and a Hugging Face {@code Sequence} of
 * {@code Split} pre-tokenizers do).
 *
 * @param name the {@code tokenizer.ggml.pre} value
 * @param rules the splits, in order
 * @param ignoreMerges a word that is itself a token is emitted whole (Llama 3)
 * @param addBosByDefault whether BOS is added when {@code tokenizer.ggml.add_bos_token} is absent
 * @param transformersNormalizesNfc whether the model's Hugging Face tokenizer NFC-normalizes its input
 */
record PreTokenizer(String name, List<SplitRule> rules, boolean ignoreMerges, boolean addBosByDefault,
                    boolean transformersNormalizesNfc) {

    /** Receives the words, as code point ranges of the text being split. */
    interface WordSink {
        void word(int from, int to);
    }

    private static final int UNLIMITED = Integer.MAX_VALUE;
    private static final CharSet LINE_BREAK = CharSet.ranges('\n', '\n', '\r', '\r');

    /** The pre-tokenizer called {@code name}; an unknown name is an error, never a guess. */
    static PreTokenizer forName(String name) {
        return switch (name) {
            case "default" -> new PreTokenizer(name, List.of(
                    new Run(new CharSet(PUNCTUATION, '$', '$', '+', '+', '<', '>', '^', '^', '|', '|', '~', '~'), 1, UNLIMITED),
                    new Gpt2Words(),
                    new Run(CharSet.of(NUMBER), 1, UNLIMITED),
                    new Run(CharSet.ranges('0', '9'), 3, 3)), false, false, false);
            case "gpt-2", "phi-2", "mpt", "olmo" -> new PreTokenizer(name, List.of(new Gpt2Words()), false, false, false);
            case "llama3", "llama-v3", "llama-bpe" -> new PreTokenizer(name, List.of(new LlamaWords(3)), true, true, false);
            case "qwen2", "deepseek-r1-qwen" -> new PreTokenizer(name, List.of(new LlamaWords(1)), false, false, true);
            case "deepseek-v3" -> new PreTokenizer(name, List.of(
                    new Run(CharSet.of(NUMBER), 1, 3),
                    new Run(CharSet.ranges(0x3040, 0x309F, 0x30A0, 0x30FF, 0x4E00, 0x9FA5), 1, UNLIMITED),
                    new DeepSeekV3Words()), false, false, false);
            case "deepseek-llm" -> new PreTokenizer(name, List.of(
                    new Run(LINE_BREAK, 1, 1),
                    new OptionalSpaceThenRun(CharSet.ranges(DEEPSEEK_LLM_CASED_LETTERS)),
                    new OptionalSpaceThenRun(CharSet.ranges(
                            '!', '/', ':', '~', 0x2018, 0x201F, 0x3000, 0x3002, 0xFF01, 0xFF0F, 0xFF1A, 0xFF5E)),
                    new TrailingWhitespace(),
                    new Run(CharSet.ranges(0x0800, 0x9FA5, 0xAC00, 0xD7FF), 1, UNLIMITED),
                    new Run(CharSet.of(NUMBER), 1, UNLIMITED)), false, false, false);
            case "deepseek-coder" -> new PreTokenizer(name, List.of(
                    new Run(LINE_BREAK, 1, 1),
                    new OptionalSpaceThenRun(CharSet.of(LETTER)),
                    new OptionalSpaceThenRun(CharSet.of(PUNCTUATION)),
                    new Run(CharSet.ranges(0x0800, 0x9FA5, 0xAC00, 0xD7FF), 1, UNLIMITED),
                    new Run(CharSet.of(NUMBER), 1, 1)), false, false, false);
            default -> throw new TokenizerException("unknown pre-tokenizer '" + name + "' (tokenizer.ggml.pre); supported: "
                    + "default, gpt-2, phi-2, mpt, olmo, llama3, llama-v3, llama-bpe, qwen2, deepseek-r1-qwen, "
                    + "deepseek-v3, deepseek-llm, deepseek-coder");
        };
    }

    /** Splits {@code t[0..length)} into words, in order. */
    void split(ScanText t, WordSink sink) {
        split(t, 0, t.length, 0, sink);
    }

    private void split(ScanText t, int from, int to, int stage, WordSink sink) {
        if (stage == rules.size()) {
            sink.word(from, to);
            return;
        }
        SplitRule rule = rules.get(stage);
        int gapStart = from;
        int pos = from;
        while (pos < to) {
            int matchEnd = rule.matchAt(t, pos, to);
            if (matchEnd < 0) {
                pos++;
                continue;
            }
            if (gapStart < pos) {
                split(t, gapStart, pos, stage + 1, sink);
            }
            split(t, pos, matchEnd, stage + 1, sink);
            pos = matchEnd;
            gapStart = matchEnd;
        }
        if (gapStart < to) {
            split(t, gapStart, to, stage + 1, sink);
        }
    }

    /**
     * The letter class of DeepSeek-LLM's second pattern, {@code [A-Za-zµÀ-ÖØ-öø-ƺ...𞤀-𞥃]}: cased
     * letters of Latin, Greek, Coptic, Cyrillic, Armenian, Georgian, Cherokee, Glagolitic, Deseret,
     * Osage, Old Hungarian, Warang Citi, Adlam and their compatibility forms.
     */
    private static final int[] DEEPSEEK_LLM_CASED_LETTERS = {
        0x0041, 0x005A, 0x0061, 0x007A, 0x00B5, 0x00B5, 0x00C0, 0x00D6, 0x00D8, 0x00F6, 0x00F8, 0x01BA,
        0x01BC, 0x01BF, 0x01C4, 0x0293, 0x0295, 0x02AF, 0x0370, 0x0373, 0x0376, 0x0377, 0x037B, 0x037D,
        0x037F, 0x037F, 0x0386, 0x0386, 0x0388, 0x038A, 0x038C, 0x038C, 0x038E, 0x03A1, 0x03A3, 0x03F5,
        0x03F7, 0x0481, 0x048A, 0x052F, 0x0531, 0x0556, 0x10A0, 0x10C5, 0x13A0, 0x13F5, 0x13F8, 0x13FD,
        0x1C90, 0x1CBA, 0x1CBD, 0x1CBF, 0x1D00, 0x1D2B, 0x1D6B, 0x1D77, 0x1D79, 0x1D9A, 0x1E00, 0x1F15,
        0x1F18, 0x1F1D, 0x1F20, 0x1F45, 0x1F48, 0x1F4D, 0x1F50, 0x1F57, 0x1F59, 0x1F59, 0x1F5B, 0x1F5B,
        0x1F5D, 0x1F5D, 0x1F5F, 0x1F7D, 0x1F80, 0x1FB4, 0x1FB6, 0x1FBC, 0x1FBE, 0x1FBE, 0x1FC2, 0x1FC4,
        0x1FC6, 0x1FCC, 0x1FD0, 0x1FD3, 0x1FD6, 0x1FDB, 0x1FE0, 0x1FEC, 0x1FF2, 0x1FF4, 0x1FF6, 0x1FFC,
        0x2102, 0x2102, 0x2107, 0x2107, 0x210A, 0x2113, 0x2115, 0x2115, 0x2119, 0x211D, 0x2124, 0x2124,
        0x2126, 0x2126, 0x2128, 0x2128, 0x212A, 0x212D, 0x212F, 0x2134, 0x2139, 0x2139, 0x213C, 0x213F,
        0x2145, 0x2149, 0x214E, 0x214E, 0x2183, 0x2184, 0x2C00, 0x2C7B, 0x2C7E, 0x2CE4, 0x2CEB, 0x2CEE,
        0x2CF2, 0x2CF3, 0xA640, 0xA66D, 0xA680, 0xA69B, 0xA722, 0xA76F, 0xA771, 0xA787, 0xA78B, 0xA78E,
        0xAB70, 0xABBF, 0xFB00, 0xFB06, 0xFB13, 0xFB17, 0xFF21, 0xFF3A, 0xFF41, 0xFF5A, 0x10400, 0x1044F,
        0x104B0, 0x104D3, 0x104D8, 0x104FB, 0x10C80, 0x10CB2, 0x10CC0, 0x10CF2, 0x118A0, 0x118DF, 0x1E900, 0x1E943,
    };
}

package dev.jseek.tokenizer;

import dev.jseek.gguf.GgufMetadata;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Text to token ids and back for a GGUF model, exact to the reference tokenizers. Thread-safe:
 * one instance serves any number of concurrent calls.
 */
public final class Tokenizer {

    /** Which reference to follow where llama.cpp and Hugging Face transformers differ. */
    public enum Compatibility {
        /**
         * As the model was trained: the Hugging Face tokenizer's NFC normalization is applied for
         * vocabularies whose {@code tokenizer.json} has it (the Qwen pre-tokenizers). The default.
         */
        TRANSFORMERS,
        /** As libllama: no normalization at all (a GGUF file does not record the normalizer). */
        LLAMA_CPP
    }

    private static final byte[] NOTHING = new byte[0];

    private final Vocabulary vocab;
    private final ByteLevelBpe bpe;
    private final SentencePieceBpe sentencePiece;
    private final SpecialTokenSplitter userDefinedOnly;
    private final SpecialTokenSplitter allSpecial;
    /** What each token stands for, with control tokens written as their text. */
    private final byte[][] pieces;

    private Tokenizer(Vocabulary vocab, Compatibility compatibility) {
        this.vocab = vocab;
        if (vocab.model() == Vocabulary.Model.BPE) {
            boolean nfc = compatibility == Compatibility.TRANSFORMERS && vocab.preTokenizer().transformersNormalizesNfc();
            bpe = new ByteLevelBpe(vocab, nfc);
            sentencePiece = null;
        } else {
            bpe = null;
            sentencePiece = new SentencePieceBpe(vocab);
        }
        userDefinedOnly = new SpecialTokenSplitter(vocab, false);
        allSpecial = new SpecialTokenSplitter(vocab, true);
        pieces = new byte[vocab.size()][];
        for (int id = 0; id < pieces.length; id++) {
            pieces[id] = piece(id);
        }
    }

    /** The tokenizer described by a GGUF file's metadata, following transformers. */
    public static Tokenizer load(GgufMetadata metadata) {
        return load(metadata, Compatibility.TRANSFORMERS);
    }

    public static Tokenizer load(GgufMetadata metadata, Compatibility compatibility) {
        return new Tokenizer(Vocabulary.fromMetadata(metadata), compatibility);
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    /**
     * The ids of {@code text}.
     *
     * @param addSpecial add BOS (and EOS) where the vocabulary asks for them
     * @param parseSpecial turn control-token texts such as {@code <｜User｜>} into their tokens; false
     *     for anything a user typed, so that it cannot forge a chat turn
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return parseSpecial ? encodeWithPlainRegions(text, addSpecial, new int[0], new int[0])
                : encodeWithPlainRegions(text, addSpecial, new int[] {0}, new int[] {text.length()});
    }

    /**
     * The ids of a rendered chat prompt: control-token texts become their tokens, except inside
     * the regions {@code [starts[i], ends[i])} (ascending, not overlapping), which are plain text
     * as a user typed it. Text on both sides of a region boundary is encoded as one piece, as if
     * there were no boundary.
     */
    public int[] encodeWithPlainRegions(String text, boolean addSpecial, int[] starts, int[] ends) {
        IdBuffer out = new IdBuffer();
        if (addSpecial && vocab.addBos()) {
            out.add(vocab.bos());
        }
        JoiningSink sink = new JoiningSink(out);
        int pos = 0;
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] < pos || ends[i] < starts[i] || ends[i] > text.length()) {
                throw new IllegalArgumentException("plain regions must be ascending, disjoint and inside the text");
            }
            allSpecial.split(text.substring(pos, starts[i]), sink);
            userDefinedOnly.split(text.substring(starts[i], ends[i]), sink);
            pos = ends[i];
        }
        allSpecial.split(text.substring(pos), sink);
        sink.flush();
        if (addSpecial && vocab.addEos()) {
            out.add(vocab.eos());
        }
        return out.toArray();
    }

    /** Collects text between special tokens, so text split only by a region boundary is encoded whole. */
    private final class JoiningSink implements SpecialTokenSplitter.Sink {
        private final IdBuffer out;
        private final StringBuilder text = new StringBuilder();
        private boolean afterSpecial = true;

        JoiningSink(IdBuffer out) {
            this.out = out;
        }

        @Override
        public void text(String piece) {
            text.append(piece);
        }

        @Override
        public void special(int id) {
            flush();
            out.add(id);
            afterSpecial = true;
        }

        void flush() {
            if (text.isEmpty()) {
                return;
            }
            if (bpe != null) {
                bpe.encode(text.toString(), out);
            } else {
                // SentencePiece gives the text a leading space at the start and after every special token.
                sentencePiece.encode(text.toString(), vocab.addSpacePrefix() && afterSpecial, out);
            }
            text.setLength(0);
            afterSpecial = false;
        }
    }

    /**
     * The bytes of {@code ids}, control tokens written as their text, as libllama's
     * {@code llama_detokenize(remove_special=false, unparse_special=true)} without its space
     * clean-up (which would turn {@code " ?"} into {@code "?"}): SentencePiece's leading space
     * is dropped from the first token.
     */
    public byte[] decodeBytes(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < ids.length; i++) {
            byte[] piece = pieces[vocab.checkId(ids[i])];
            int skip = i == 0 && vocab.addSpacePrefix() && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            out.write(piece, skip, piece.length - skip);
        }
        return out.toByteArray();
    }

    /** {@link #decodeBytes} as text; bytes that are no valid UTF-8 become U+FFFD. */
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /**
     * The bytes one token stands for (a token may hold part of a UTF-8 character). Control
     * tokens give their text when {@code renderSpecial}, nothing otherwise.
     */
    public byte[] pieceBytes(int id, boolean renderSpecial) {
        return pieceView(id, renderSpecial).clone();
    }

    /** A decoder for generated tokens that only ever emits whole characters. */
    public StreamingDecoder streamingDecoder(boolean renderSpecial) {
        return new StreamingDecoder(this, renderSpecial);
    }

    /** {@link #pieceBytes} without the copy, for callers in this package that only read it. */
    byte[] pieceView(int id, boolean renderSpecial) {
        int attributes = vocab.attributes(vocab.checkId(id));
        if (!renderSpecial && (attributes & (Vocabulary.CONTROL | Vocabulary.UNKNOWN)) != 0) {
            return NOTHING;
        }
        return pieces[id];
    }

    private byte[] piece(int id) {
        int attributes = vocab.attributes(id);
        String text = vocab.token(id);
        if ((attributes & (Vocabulary.CONTROL | Vocabulary.UNKNOWN | Vocabulary.USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attributes & Vocabulary.NORMAL) != 0) {
            if (vocab.model() == Vocabulary.Model.SENTENCEPIECE) {
                return text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
            }
            byte[] bytes = ByteLevel.decode(text);
            // A token outside the byte-level alphabet (a malformed vocabulary) stands for its own text.
            return bytes != null ? bytes : text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attributes & Vocabulary.BYTE) != 0 && text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            return new byte[] {(byte) Integer.parseInt(text, 3, 5, 16)};
        }
        return new byte[0];
    }
}

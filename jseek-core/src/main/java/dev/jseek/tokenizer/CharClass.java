package dev.jseek.tokenizer;

/**
 * The Unicode classes the pre-tokenizer patterns ask about, as bit flags per code point:
 * {@code \p{L}}, {@code \p{N}}, {@code \p{P}}, {@code \p{S}}, {@code \p{M}} and {@code \s}.
 * Whitespace is what the Hugging Face tokenizers' regex engine calls {@code \s}: TAB to CR,
 * U+0085 and the space, line and paragraph separators; not U+001C-U+001F, which Java's
 * {@link Character#isWhitespace} would include.
 */
final class CharClass {

    static final byte LETTER = 1;
    static final byte NUMBER = 2;
    static final byte WHITESPACE = 4;
    static final byte PUNCTUATION = 8;
    static final byte SYMBOL = 16;
    static final byte MARK = 32;

    /** Flags of every BMP code point, computed once: the scanners ask several times per character. */
    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int cp = 0; cp < BMP.length; cp++) {
            BMP[cp] = compute(cp);
        }
    }

    private CharClass() {
    }

    static byte of(int cp) {
        return cp < 0x10000 ? BMP[cp] : compute(cp);
    }

    private static byte compute(int cp) {
        if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x85) {
            return WHITESPACE;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> WHITESPACE;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> SYMBOL;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            default -> 0;
        };
    }
}

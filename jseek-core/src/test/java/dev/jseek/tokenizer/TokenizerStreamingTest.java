package dev.jseek.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.tokenizer.Tokenizer.Compatibility;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The streaming decoder never emits part of a character, whatever the token boundaries. */
class TokenizerStreamingTest {

    private static final String SPLIT_CHARACTERS = "🧑‍🔬 scientist 𠀀𪛖 CJK B, 𝐀𝐁 math, 🤖 robot, 中文 and ö";

    @ParameterizedTest
    @ValueSource(strings = {"deepseek-v3", "qwen2", "llama-bpe", "gpt-2", "deepseek-llm", "llama-spm"})
    void wholeCharactersOnly(String vocab) {
        Tokenizer tokenizer = TokenizerFixtures.tokenizer(vocab, Compatibility.TRANSFORMERS);
        int[] ids = tokenizer.encode(SPLIT_CHARACTERS, false, false);
        boolean someTokenSplitsACharacter = false;
        StreamingDecoder decoder = tokenizer.streamingDecoder(true);
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            someTokenSplitsACharacter |= !isWholeUtf8(tokenizer.pieceBytes(id, true));
            String chunk = decoder.accept(id);
            assertWholeCharacters(chunk);
            text.append(chunk);
        }
        text.append(decoder.finish());
        assertTrue(someTokenSplitsACharacter, "the text should put a character across tokens in " + vocab);
        String expected = tokenizer.decode(ids);
        // SentencePiece's decode drops the leading space of the first token; a stream of generated tokens keeps it.
        assertEquals(expected, tokenizer.vocabulary().addSpacePrefix() ? text.substring(1) : text.toString());
        assertEquals(SPLIT_CHARACTERS, expected);
    }

    @Test
    void holdsBytesUntilTheCharacterIsComplete() {
        Tokenizer tokenizer = TokenizerFixtures.tokenizer("deepseek-v3", Compatibility.TRANSFORMERS);
        StreamingDecoder decoder = tokenizer.streamingDecoder(true);
        byte[] robot = "🤖".getBytes(StandardCharsets.UTF_8);
        List<String> chunks = new ArrayList<>();
        for (byte b : robot) {
            chunks.add(decoder.accept(byteToken(tokenizer, b)));
        }
        assertEquals(List.of("", "", "", "🤖"), chunks);
        assertEquals("", decoder.finish());
    }

    @Test
    void unfinishedCharacterAtTheEndBecomesReplacement() {
        Tokenizer tokenizer = TokenizerFixtures.tokenizer("deepseek-v3", Compatibility.TRANSFORMERS);
        StreamingDecoder decoder = tokenizer.streamingDecoder(true);
        byte[] han = "中".getBytes(StandardCharsets.UTF_8);
        assertEquals("", decoder.accept(byteToken(tokenizer, han[0])));
        assertEquals("", decoder.accept(byteToken(tokenizer, han[1])));
        assertEquals("\uFFFD", decoder.finish());
    }

    @Test
    void invalidByteDoesNotStallTheStream() {
        Tokenizer tokenizer = TokenizerFixtures.tokenizer("deepseek-v3", Compatibility.TRANSFORMERS);
        StreamingDecoder decoder = tokenizer.streamingDecoder(true);
        assertEquals("\uFFFD", decoder.accept(byteToken(tokenizer, (byte) 0x80)));
        assertEquals("\uFFFDa", decoder.accept(byteToken(tokenizer, (byte) 0xE4)) + decoder.accept(tokenizer.vocabulary().id("a")));
    }

    @Test
    void controlTokensOnlyWhenAsked() {
        Tokenizer tokenizer = TokenizerFixtures.tokenizer("deepseek-v3", Compatibility.TRANSFORMERS);
        int eos = tokenizer.vocabulary().eos();
        assertEquals("", tokenizer.streamingDecoder(false).accept(eos));
        assertEquals("<｜end▁of▁sentence｜>", tokenizer.streamingDecoder(true).accept(eos));
    }

    private static int byteToken(Tokenizer tokenizer, byte b) {
        return tokenizer.vocabulary().id(String.valueOf(ByteLevel.charOf(b)));
    }

    private static boolean isWholeUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static void assertWholeCharacters(String chunk) {
        assertFalse(chunk.contains("\uFFFD"), () -> "replacement character in '" + chunk + "'");
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertTrue(i + 1 < chunk.length() && Character.isLowSurrogate(chunk.charAt(++i)), "split surrogate pair");
            } else {
                assertFalse(Character.isLowSurrogate(c), "lone low surrogate");
            }
        }
    }
}

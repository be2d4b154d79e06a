package dev.jseek.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.gguf.GgufFile;
import dev.jseek.testdata.TestData;
import dev.jseek.tokenizer.Tokenizer.Compatibility;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reference tokenization in {@code ../shared/testdata/tokenizer}, exactly. Vectors made by
 * Hugging Face are checked in {@link Compatibility#TRANSFORMERS} mode (NFC for Qwen), those made
 * by libllama in {@link Compatibility#LLAMA_CPP} mode; where the two references differ, both ids
 * are checked, each in its mode.
 */
class TokenizerConformanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> vectors() throws IOException {
        List<Arguments> all = new ArrayList<>();
        for (Path file : TestData.files("tokenizer", ".vectors.json")) {
            String vocab = file.getFileName().toString().replace(".vectors.json", "");
            JsonNode entries = JSON.readTree(file.toFile());
            for (int i = 0; i < entries.size(); i++) {
                JsonNode e = entries.get(i);
                String label = vocab + " #" + i + " special=" + e.get("parse_special").asBoolean() + " " + shortText(e.get("text").asText());
                all.add(Arguments.of(Named.of(label, vocab), e));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void vectorMatches(String vocab, JsonNode vector) {
        String text = vector.get("text").asText();
        boolean parseSpecial = vector.get("parse_special").asBoolean();
        boolean fromHuggingFace = vector.get("source").asText().equals("hf");
        Compatibility mode = fromHuggingFace ? Compatibility.TRANSFORMERS : Compatibility.LLAMA_CPP;
        int[] expected = ids(vector.get("ids"));
        Tokenizer tokenizer = TokenizerFixtures.tokenizer(vocab, mode);

        assertArrayEquals(expected, tokenizer.encode(text, false, parseSpecial), () -> "ids of " + quoted(text));
        if (vector.has("llamacpp_ids")) {
            int[] llamaCpp = ids(vector.get("llamacpp_ids"));
            assertArrayEquals(llamaCpp, TokenizerFixtures.tokenizer(vocab, Compatibility.LLAMA_CPP).encode(text, false, parseSpecial),
                    () -> "libllama ids of " + quoted(text));
        } else if (fromHuggingFace && vector.path("llamacpp_agrees").asBoolean()) {
            assertArrayEquals(expected, TokenizerFixtures.tokenizer(vocab, Compatibility.LLAMA_CPP).encode(text, false, parseSpecial),
                    () -> "libllama ids of " + quoted(text));
        }
        // Beyond the reference: byte-level BPE loses nothing (no libllama space clean-up here), so every
        // text comes back; SentencePiece cannot give back characters it lacks nor tell ▁ from a space.
        if (vector.get("round_trips").asBoolean() || tokenizer.vocabulary().model() == Vocabulary.Model.BPE) {
            assertEquals(readsNfc(tokenizer, mode) ? Normalizer.normalize(text, Normalizer.Form.NFC) : text,
                    tokenizer.decode(expected), "decode(ids)");
        }
    }

    static Stream<Arguments> llamaCppTestFiles() {
        return TestData.files("tokenizer", ".gguf.inp").stream().flatMap(inp -> {
            String vocab = inp.getFileName().toString().replace("ggml-vocab-", "").replace(".gguf.inp", "");
            try {
                String[] texts = Files.readString(inp).split("\n__ggml_vocab_test__\n", -1);
                List<String> lines = Files.readAllLines(TestData.file("tokenizer/" + inp.getFileName().toString().replace(".inp", ".out")));
                assertEquals(texts.length - 1, lines.size(), "texts in " + inp + " vs lines of its .out");
                return IntStream.range(0, lines.size()).mapToObj(i ->
                        Arguments.of(Named.of(vocab + " #" + i + " " + shortText(texts[i]), vocab), texts[i], lines.get(i)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** llama.cpp's own test texts ({@code .inp}) against its expected ids ({@code .out}). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("llamaCppTestFiles")
    void llamaCppTestFileMatches(String vocab, String text, String expectedLine) {
        int[] expected = expectedLine.isBlank() ? new int[0]
                : Stream.of(expectedLine.trim().split(" +")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(expected, TokenizerFixtures.tokenizer(vocab, Compatibility.LLAMA_CPP).encode(text, false, false),
                () -> "ids of " + quoted(text));
    }

    static Stream<Arguments> wholeFileChecks() throws IOException {
        JsonNode vocabs = JSON.readTree(TestData.file("tokenizer/bench.json").toFile()).get("vocabs");
        List<Arguments> checks = new ArrayList<>();
        vocabs.fieldNames().forEachRemaining(vocab -> {
            JsonNode v = vocabs.get(vocab);
            checks.add(Arguments.of(vocab, Compatibility.TRANSFORMERS, true, v.get("hf_tokens").asInt(), v.get("hf_ids_sha256").asText()));
            checks.add(Arguments.of(vocab, Compatibility.LLAMA_CPP, true, v.get("llamacpp_parse_special_tokens").asInt(),
                    v.get("llamacpp_parse_special_ids_sha256").asText()));
            checks.add(Arguments.of(vocab, Compatibility.LLAMA_CPP, false, v.get("llamacpp_plain_tokens").asInt(),
                    v.get("llamacpp_plain_ids_sha256").asText()));
        });
        return checks.stream();
    }

    /** The whole 1 MiB mixed text, by the SHA-256 of its ids. */
    @ParameterizedTest(name = "{0} {1} parse_special={2}")
    @MethodSource("wholeFileChecks")
    void wholeBenchFileMatches(String vocab, Compatibility mode, boolean parseSpecial, int tokens, String sha256)
            throws IOException, NoSuchAlgorithmException {
        String text = Files.readString(TestData.file("tokenizer/bench-1mb.txt"));
        int[] ids = TokenizerFixtures.tokenizer(vocab, mode).encode(text, false, parseSpecial);
        assertEquals(tokens, ids.length, "number of tokens");
        String joined = IntStream.of(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.US_ASCII));
        assertEquals(sha256, HexFormat.of().formatHex(digest));
        Tokenizer tokenizer = TokenizerFixtures.tokenizer(vocab, mode);
        assertEquals(readsNfc(tokenizer, mode) ? Normalizer.normalize(text, Normalizer.Form.NFC) : text,
                tokenizer.decode(ids), "decode(ids) of the whole file");
    }

    /** Qwen's transformers tokenizer reads the NFC form of the text, so that is what comes back. */
    private static boolean readsNfc(Tokenizer tokenizer, Compatibility mode) {
        PreTokenizer pre = tokenizer.vocabulary().preTokenizer();
        return mode == Compatibility.TRANSFORMERS && pre != null && pre.transformersNormalizesNfc();
    }

    /** Threads sharing one tokenizer (and its word cache, starting empty) get what one thread gets. */
    @Test
    void concurrentCallsAgree() throws Exception {
        String text = Files.readString(TestData.file("tokenizer/bench-1mb.txt"));
        Tokenizer reference = TokenizerFixtures.tokenizer("deepseek-v3", Compatibility.TRANSFORMERS);
        Tokenizer shared;
        try (GgufFile f = GgufFile.open(TestData.file("tokenizer/ggml-vocab-deepseek-v3.gguf"))) {
            shared = Tokenizer.load(f.metadata());
        }
        int parts = 8;
        List<String> slices = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            slices.add(text.substring(text.length() * i / parts, text.length() * (i + 1) / parts));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<int[]>> results = new ArrayList<>();
            for (String slice : slices) {
                results.add(pool.submit(() -> shared.encode(slice, false, true)));
            }
            for (int i = 0; i < parts; i++) {
                assertArrayEquals(reference.encode(slices.get(i), false, true), results.get(i).get(), "slice " + i);
            }
        }
    }

    static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).asInt();
        }
        return ids;
    }

    private static String shortText(String text) {
        String oneLine = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        return oneLine.length() > 40 ? oneLine.substring(0, 37) + "..." : oneLine;
    }

    private static String quoted(String text) {
        return "'" + shortText(text) + "'";
    }
}

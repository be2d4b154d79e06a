package dev.jseek.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.cli.InspectCommandTest.Run;
import dev.jseek.gguf.GgufFile;
import dev.jseek.testdata.TestData;
import dev.jseek.tokenizer.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jseek tokenize} and {@code jseek detokenize} agree with the core tokenizer; bad input gets one line. */
class TokenizeCommandTest {

    private static final String TEXT = "Hello world, 你好 <｜User｜> ö";

    private static Path model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        model = TestData.file("tokenizer/ggml-vocab-deepseek-v3.gguf");
        try (GgufFile f = GgufFile.open(model)) {
            tokenizer = Tokenizer.load(f.metadata());
        }
    }

    private static int[] idsOfJson(String line) {
        String inner = line.strip().replace("{\"ids\":[", "").replace("]}", "");
        return inner.isEmpty() ? new int[0] : Stream.of(inner.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void printsIdsAndPiecesWithBos() {
        Run r = InspectCommandTest.run("tokenize", "-m", model.toString(), "Hello world");
        assertEquals(0, r.code(), r.err());
        int[] ids = tokenizer.encode("Hello world", true, false);
        String[] lines = r.out().stripTrailing().split("\n");
        assertEquals(ids.length, lines.length, r.out());
        assertEquals(String.format("%6d -> '%s'", 0, "<｜begin▁of▁sentence｜>"), lines[0]);
        assertEquals(String.format("%6d -> '%s'", ids[2], " world"), lines[2]);
    }

    @Test
    void piecesOfASplitCharacterShowTheirBytes() {
        Run r = InspectCommandTest.run("tokenize", "-m", model.toString(), "--no-bos", "a\t 🤖");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("'a'\n") && r.out().contains("'\\t'\n"), r.out());
        assertTrue(r.out().contains("-> ' \\xf0\\x9f\\xa4'\n") && r.out().contains("-> '\\x96'\n"), r.out());
    }

    @Test
    void jsonAndFlags(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("text.txt");
        Files.writeString(file, TEXT);
        assertArrayEquals(tokenizer.encode(TEXT, true, false), idsOfJson(InspectCommandTest.run(
                "tokenize", "-m", model.toString(), "--json", "--file", file.toString()).out()));
        assertArrayEquals(tokenizer.encode(TEXT, false, false), idsOfJson(InspectCommandTest.run(
                "tokenize", "-m", model.toString(), "--json", "--no-bos", "--file", file.toString()).out()));
        int[] special = idsOfJson(InspectCommandTest.run(
                "tokenize", "-m", model.toString(), "--json", "--special", "--file", file.toString()).out());
        assertArrayEquals(tokenizer.encode(TEXT, true, true), special);
        assertTrue(java.util.stream.IntStream.of(special).anyMatch(id -> id == 128803), "<｜User｜> as its token");
    }

    @Test
    void readsStandardInput() {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(TEXT.getBytes(StandardCharsets.UTF_8)));
            Run r = InspectCommandTest.run("tokenize", "-m", model.toString(), "--json");
            assertEquals(0, r.code(), r.err());
            assertArrayEquals(tokenizer.encode(TEXT, true, false), idsOfJson(r.out()));
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void batchKeepsOrder(@TempDir Path dir) throws IOException {
        Path batch = dir.resolve("in.jsonl");
        Files.writeString(batch, "{\"text\": \"first\"}\n{\"text\": \"\"}\n{\"id\": 3, \"text\": \"" + TEXT + "\"}\n");
        Run r = InspectCommandTest.run("tokenize", "-m", model.toString(), "--batch", batch.toString(), "--no-bos");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length, r.out());
        assertArrayEquals(tokenizer.encode("first", false, false), idsOfJson(lines[0]));
        assertEquals("{\"ids\":[]}", lines[1]);
        assertArrayEquals(tokenizer.encode(TEXT, false, false), idsOfJson(lines[2]));
    }

    @Test
    void malformedBatchLineIsOneLineWithItsNumber(@TempDir Path dir) throws IOException {
        Path batch = dir.resolve("bad.jsonl");
        Files.writeString(batch, "{\"text\": \"fine\"}\n{\"text\": \"unterminated}\n");
        Run r = InspectCommandTest.run("tokenize", "-m", model.toString(), "--batch", batch.toString());
        assertEquals(1, r.code());
        assertEquals("", r.out(), "nothing printed before the error");
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("jseek: " + batch + " line 2: not valid JSON"), r.err());

        Files.writeString(batch, "{\"text\": \"fine\"}\n\n{\"text\": 5}\n");
        r = InspectCommandTest.run("tokenize", "-m", model.toString(), "--batch", batch.toString());
        assertEquals("jseek: " + batch + " line 2: expected a JSON object with a string field \"text\"", r.err().strip());
    }

    @Test
    void missingModelIsOneLine() {
        Run r = InspectCommandTest.run("tokenize", "-m", "no-such-model.gguf", "hi");
        assertEquals(1, r.code());
        assertEquals("jseek: no such file: no-such-model.gguf", r.err().strip());
        r = InspectCommandTest.run("detokenize", "-m", "no-such-model.gguf", "1");
        assertEquals("jseek: no such file: no-such-model.gguf", r.err().strip());
    }

    @Test
    void oneSourceOnly(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("t.txt"), "x");
        Run r = InspectCommandTest.run("tokenize", "-m", model.toString(), "--file", file.toString(), "text");
        assertEquals(1, r.code());
        assertEquals("jseek: give only one of TEXT, --file and --batch", r.err().strip());
    }

    @Test
    void detokenizePrintsTheTextExactly() {
        int[] ids = tokenizer.encode(TEXT + "\n", false, true);
        String joined = String.join(" ", java.util.Arrays.stream(ids).mapToObj(Integer::toString).toList());
        Run r = InspectCommandTest.run("detokenize", "-m", model.toString(), joined);
        assertEquals(0, r.code(), r.err());
        assertEquals(TEXT + "\n", r.out());
        String commas = java.util.Arrays.toString(ids);
        assertEquals(TEXT + "\n", InspectCommandTest.run("detokenize", "-m", model.toString(), commas).out());
    }

    @Test
    void badIdsAreOneLine() {
        Run r = InspectCommandTest.run("detokenize", "-m", model.toString(), "17", "129280");
        assertEquals(1, r.code());
        assertEquals("jseek: token id 129280 is out of range (the vocabulary has 129280 tokens)", r.err().strip());
        r = InspectCommandTest.run("detokenize", "-m", model.toString(), "12x");
        assertEquals(1, r.code());
        assertEquals("jseek: not a token id: '12x'", r.err().strip());
    }
}

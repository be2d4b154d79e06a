package dev.jseek.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.testdata.DeepseekReference;
import dev.jseek.testdata.DenseReference;
import dev.jseek.testdata.TestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** run, chat and perplexity from the command line, on the shared models. */
class RunCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String ids(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static DenseReference dense(String model, String type) {
        return DenseReference.all().stream().filter(r -> r.model().equals(model) && r.type().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void promptIdsGreedyJsonMatchesLlamaCpp() throws IOException {
        DenseReference ref = dense("llama3", "F32");
        InspectCommandTest.Run r = InspectCommandTest.run("run", "-m", ref.file().toString(), "--prompt-ids", ids(ref.promptIds()),
                "--temp", "0", "-n", "32", "--ignore-eos", "--kv-type", "f32", "--json", "-t", "2");
        assertEquals(0, r.code(), r.err());
        JsonNode o = JSON.readTree(r.out());
        assertArrayEquals(ref.promptIds(), JSON.treeToValue(o.get("prompt_ids"), int[].class));
        assertArrayEquals(ref.greedyIds(), JSON.treeToValue(o.get("ids"), int[].class));
        assertTrue(o.get("prefill_tps").asDouble() > 0 && o.get("decode_tps").asDouble() > 0, r.out());
    }

    /** With --no-mmap the weights are a copy in memory: the integer kernels read it and give llama.cpp's greedy ids. */
    @Test
    void noMmapReadsACopyAndGivesTheSameIds() throws IOException {
        DenseReference ref = DenseReference.all().stream().filter(r -> r.type().equals("Q4_0")).findFirst().orElseThrow();
        InspectCommandTest.Run r = InspectCommandTest.run("run", "-m", ref.file().toString(), "--prompt-ids", ids(ref.promptIds()),
                "--temp", "0", "-n", "32", "--ignore-eos", "--kv-type", "f32", "--json", "--no-mmap");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(ref.greedyIds(), JSON.treeToValue(JSON.readTree(r.out()).get("ids"), int[].class), ref.file().toString());
    }

    @Test
    void deepseekGreedyFromTheCommandLine() throws IOException {
        DeepseekReference ref = DeepseekReference.all().stream()
                .filter(r -> r.model().equals("deepseek2-v3") && r.type().equals("F32")).findFirst().orElseThrow();
        InspectCommandTest.Run r = InspectCommandTest.run("run", "-m", ref.file().toString(), "--prompt-ids", ids(ref.promptIds()),
                "--temp", "0", "-n", "32", "--ignore-eos", "--kv-type", "f32", "--json");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(ref.greedyIds(), JSON.treeToValue(JSON.readTree(r.out()).get("ids"), int[].class));
    }

    @Test
    void promptThroughTheChatTemplateStreamsText() {
        DenseReference ref = dense("qwen2", "Q8_0");
        InspectCommandTest.Run r = InspectCommandTest.run("run", "-m", ref.file().toString(), "-p", "the cat", "-n", "12", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("[prefill"), r.err());
        InspectCommandTest.Run raw = InspectCommandTest.run("run", "-m", ref.file().toString(), "-p", "the cat", "-n", "4", "--raw", "--json");
        assertEquals(0, raw.code(), raw.err());
    }

    @Test
    void perplexityMatchesLlamaPerplexity() throws IOException {
        for (String model : new String[] {"llama-spm", "llama3", "qwen2", "qwen3"}) {
            DenseReference ref = dense(model, "F32");
            InspectCommandTest.Run r = InspectCommandTest.run("perplexity", "-m", ref.file().toString(),
                    "-f", TestData.file("models/refs/dense-ppl.txt").toString(), "-c", "128", "--chunks", "5", "--kv-type", "f32", "--json");
            assertEquals(0, r.code(), r.err());
            JsonNode o = JSON.readTree(r.out());
            double expected = ref.entry().get("ppl").get("value").asDouble();
            double rel = Math.abs(o.get("ppl").asDouble() - expected) / expected;
            assertTrue(rel <= ref.tolPplRel(), model + ": " + o + " vs " + expected);
            assertEquals(315, o.get("tokens").asInt());
            assertEquals(5, o.get("chunks").asInt());
        }
    }

    @Test
    void chatKeepsTheConversationAndClears() {
        DenseReference ref = dense("llama3", "Q4_0");
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("hello\nand then?\n/clear\nagain\n/exit\n".getBytes(StandardCharsets.UTF_8)));
            InspectCommandTest.Run r = InspectCommandTest.run("chat", "-m", ref.file().toString(), "-n", "6", "--seed", "1");
            assertEquals(0, r.code(), r.err());
            String[] stats = r.err().lines().filter(l -> l.startsWith("[prefill")).toArray(String[]::new);
            assertEquals(3, stats.length, r.err());
            assertTrue(r.err().contains("(new conversation)"), r.err());
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void badFlagsAreOneLine() {
        String model = dense("qwen2", "F32").file().toString();
        InspectCommandTest.Run temp = InspectCommandTest.run("run", "-m", model, "-p", "x", "--temp", "-1");
        assertEquals("jseek: --temp must be 0 or more, not -1.0", temp.err().strip());
        InspectCommandTest.Run bias = InspectCommandTest.run("run", "-m", model, "-p", "x", "--logit-bias", "oops");
        assertEquals("jseek: --logit-bias expects ID=BIAS (e.g. 13=-inf), not 'oops'", bias.err().strip());
        InspectCommandTest.Run threads = InspectCommandTest.run("run", "-m", model, "-p", "x", "-t", "0");
        assertEquals("jseek: -t must be between 1 and 1024, not 0", threads.err().strip());
        InspectCommandTest.Run hugeContext = InspectCommandTest.run("run", "-m", model, "-p", "x", "-c", "2000000000");
        assertEquals(1, hugeContext.code());
        assertTrue(hugeContext.err().startsWith("jseek: a context of 2000000000 positions is too large"), hugeContext.err());
        InspectCommandTest.Run bigContext = InspectCommandTest.run("run", "-m", model, "-p", "x", "-c", "10000000");
        assertEquals(1, bigContext.code());
        assertEquals(1, bigContext.err().strip().lines().count(), bigContext.err());
        assertTrue(bigContext.err().contains("KV cache for 10000000 positions needs"), bigContext.err());
        InspectCommandTest.Run missing = InspectCommandTest.run("run", "-m", "nope.gguf", "-p", "x");
        assertEquals("jseek: no such file: nope.gguf", missing.err().strip());
        InspectCommandTest.Run vocabOnly = InspectCommandTest.run("run", "-m", TestData.file("tokenizer/ggml-vocab-qwen2.gguf").toString(), "-p", "x");
        assertEquals(1, vocabOnly.code());
        assertEquals(1, vocabOnly.err().strip().lines().count(), vocabOnly.err());
        assertTrue(vocabOnly.err().contains("holds no model weights (a vocabulary-only file?)"), vocabOnly.err());
    }
}

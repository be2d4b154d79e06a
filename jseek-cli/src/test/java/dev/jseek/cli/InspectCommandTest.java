package dev.jseek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.gguf.GgufFile;
import dev.jseek.tensor.Tensor;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code jseek inspect} works on every shared file, and bad input gets one line. */
class InspectCommandTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.configure(new CommandLine(new Main()));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Stream<Path> sharedFiles() {
        return TestData.files(".", ".gguf").stream();
    }

    @ParameterizedTest
    @MethodSource("sharedFiles")
    void jsonListsEveryTensor(Path file) throws IOException {
        Run r = run("inspect", "--json", file.toString());
        assertEquals(0, r.code, r.err);
        JsonNode root = new ObjectMapper().readTree(r.out);
        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(f.architecture(), root.get("architecture").isNull() ? null : root.get("architecture").asText());
            JsonNode tensors = root.get("tensors");
            assertEquals(f.tensors().size(), tensors.size());
            for (int i = 0; i < f.tensors().size(); i++) {
                Tensor t = f.tensors().get(i);
                JsonNode j = tensors.get(i);
                assertEquals(t.name(), j.get("name").asText());
                assertEquals(t.type().name(), j.get("type").asText());
                assertEquals(t.shape().length, j.get("shape").size());
                for (int d = 0; d < t.shape().length; d++) {
                    assertEquals(t.shape()[d], j.get("shape").get(d).asLong());
                }
                assertEquals(f.dataOffset() + f.tensorOffset(t), j.get("offset").asLong());
                assertEquals(t.data().byteSize(), j.get("bytes").asLong());
            }
            assertEquals(f.metadata().asMap().size(), root.get("metadata").size());
        }
        Run text = run("inspect", file.toString());
        assertEquals(0, text.code, text.err);
        assertTrue(text.out.contains("metadata (" + root.get("metadata").size() + " keys)"), text.out);
    }

    @Test
    void missingFileIsOneLine() {
        Run r = run("inspect", "no-such-model.gguf");
        assertEquals(1, r.code);
        assertEquals("jseek: no such file: no-such-model.gguf", r.err.strip());
    }

    @Test
    void corruptFileIsOneLineWithOffset(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("bad.gguf");
        Files.write(p, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
        Run r = run("inspect", p.toString());
        assertEquals(1, r.code);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.contains("truncated") && r.err.contains("(at byte 8)"), r.err);
    }

    @Test
    void unknownOptionIsOneLine() {
        Run r = run("inspect", "--frobnicate", "x.gguf");
        assertEquals(2, r.code);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.contains("--frobnicate"), r.err);
    }
}

package dev.jseek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.testdata.DenseReference;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jseek eval} writes llama.cpp-comparable logits, and refuses bad input in one line. */
class EvalCommandTest {

    @Test
    void writesTheLogitsOfEveryPosition(@TempDir Path dir) throws IOException {
        DenseReference ref = DenseReference.all().stream()
                .filter(r -> r.model().equals("qwen2") && r.type().equals("F32")).findFirst().orElseThrow();
        String ids = Arrays.stream(ref.promptIds()).mapToObj(Integer::toString).collect(Collectors.joining(","));
        Path out = dir.resolve("logits.f32");
        InspectCommandTest.Run r = InspectCommandTest.run("eval", "-m", ref.file().toString(), "--prompt-ids", ids,
                "--logits-out", out.toString(), "-t", "2", "--kv-type", "f32", "--exact");
        assertEquals(0, r.code(), r.err());
        float[] expected = ref.logits();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(expected.length * 4, b.remaining());
        double maxAbs = 0;
        for (float e : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(b.getFloat() - e));
        }
        assertTrue(maxAbs <= ref.tolMaxAbs(), "max |diff| " + maxAbs);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    /** By default (8-bit activations) the logits of a quantized model come within llama.cpp's tighter act8 tolerance. */
    @Test
    void defaultLogitsComeWithinAct8Tolerance(@TempDir Path dir) throws IOException {
        DenseReference ref = DenseReference.all().stream()
                .filter(r -> r.model().equals("llama-spm") && r.type().equals("Q8_0")).findFirst().orElseThrow();
        String ids = Arrays.stream(ref.promptIds()).mapToObj(Integer::toString).collect(Collectors.joining(","));
        Path out = dir.resolve("logits.f32");
        InspectCommandTest.Run r = InspectCommandTest.run("eval", "-m", ref.file().toString(), "--prompt-ids", ids,
                "--logits-out", out.toString(), "--kv-type", "f32");
        assertEquals(0, r.code(), r.err());
        float[] expected = ref.logits();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        double maxAbs = 0;
        for (float e : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(b.getFloat() - e));
        }
        assertTrue(maxAbs <= ref.tolAct8(), "max |diff| " + maxAbs + " > " + ref.tolAct8());
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) {
        String model = DenseReference.all().get(0).file().toString();
        InspectCommandTest.Run badId = InspectCommandTest.run("eval", "-m", model, "--prompt-ids", "1,99999",
                "--logits-out", dir.resolve("x").toString());
        assertEquals(1, badId.code());
        assertTrue(badId.err().contains("token id 99999 is outside the vocabulary"), badId.err());
        assertFalse(Files.exists(dir.resolve("x")));
        InspectCommandTest.Run badKv = InspectCommandTest.run("eval", "-m", model, "--prompt-ids", "1",
                "--logits-out", dir.resolve("x").toString(), "--kv-type", "q8");
        assertEquals(1, badKv.code());
        assertEquals("jseek: --kv-type must be f32 or f16, not 'q8'", badKv.err().strip());
        InspectCommandTest.Run notNumbers = InspectCommandTest.run("eval", "-m", model, "--prompt-ids", "1,x",
                "--logits-out", dir.resolve("x").toString());
        assertEquals(2, notNumbers.code());
        assertEquals(1, notNumbers.err().strip().lines().count(), notNumbers.err());
    }
}

package dev.jseek.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jseek.tensor.Tensor;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import dev.jseek.tensor.GgmlType;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shared GGUF file opens, and writing it back with our writer reproduces it. */
class GgufRoundTripTest {

    static Stream<Path> sharedFiles() {
        return TestData.files(".", ".gguf").stream();
    }

    @ParameterizedTest
    @MethodSource("sharedFiles")
    void rewritesEveryFileIdentically(Path source, @TempDir Path dir) throws IOException {
        Path copy = dir.resolve("copy.gguf");
        try (GgufFile in = GgufFile.open(source)) {
            GgufWriter w = new GgufWriter().putAll(in.metadata());
            in.tensors().forEach(w::add);
            w.write(copy);
            try (GgufFile out = GgufFile.open(copy)) {
                assertEquals(in.metadata().asMap(), out.metadata().asMap());
                List<Tensor> a = in.tensors();
                List<Tensor> b = out.tensors();
                assertEquals(a.size(), b.size());
                for (int i = 0; i < a.size(); i++) {
                    assertEquals(a.get(i).name(), b.get(i).name());
                    assertEquals(a.get(i).type(), b.get(i).type());
                    assertArrayEquals(a.get(i).shape(), b.get(i).shape());
                    assertEquals(in.tensorOffset(a.get(i)), out.tensorOffset(b.get(i)), "offset of " + a.get(i).name());
                    assertEquals(-1, a.get(i).data().mismatch(b.get(i).data()), "data of " + a.get(i).name());
                }
            }
        }
        long mismatch = Files.mismatch(source, copy);
        assertEquals(-1, mismatch, "rewritten file differs from " + source.getFileName() + " at byte " + mismatch);
    }

    @Test
    void writesTensorsEncodedFromFloats(@TempDir Path dir) throws IOException {
        Random random = new Random(5);
        float[] values = new float[64 * 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        Path p = dir.resolve("floats.gguf");
        new GgufWriter().put("general.architecture", GgufValue.ofString("test"))
                .add("exact", GgmlType.F32, new long[] {64, 3}, values)
                .add("q8", GgmlType.Q8_0, new long[] {64, 3}, values)
                .add("rows", GgmlType.F16, new long[] {64, 3}, (r, row) -> java.util.Arrays.fill(row, r))
                .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            float[] row = new float[64];
            for (int r = 0; r < 3; r++) {
                f.tensor("exact").dequantizeRow(r, row, 0);
                assertArrayEquals(java.util.Arrays.copyOfRange(values, 64 * r, 64 * r + 64), row);
                f.tensor("q8").dequantizeRow(r, row, 0);
                for (int i = 0; i < 64; i++) {
                    assertEquals(values[64 * r + i], row[i], 0.03, "Q8_0 value " + i);
                }
                f.tensor("rows").dequantizeRow(r, row, 0);
                assertEquals(r, row[63]);
            }
            assertEquals(64 * 3 / 32 * 34, f.tensor("q8").data().byteSize());
        }
    }
}

package dev.jseek.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.tensor.Tensor;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
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
}

package dev.jseek.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.tensor.Tensor;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Split models written as llama.cpp's gguf-split does open as the model they were cut from. */
class GgufModelFilesTest {

    static Stream<String> models() {
        return Stream.of("models/qwen2.Q8_0.gguf", "models/deepseek2-v3.Q4_K.gguf", "models/llama-spm.F16.gguf");
    }

    static Path split(GgufFile source, Path dir, int count, boolean emptyFirst, Map<Integer, Integer> wrongSplitNo) throws IOException {
        return GgufSplitter.split(source, dir, "model", count, emptyFirst, wrongSplitNo);
    }

    static Path split(GgufFile source, Path dir, int count) throws IOException {
        return GgufSplitter.split(source, dir, "model", count);
    }

    @ParameterizedTest
    @MethodSource("models")
    void splitModelHasTheWholeModelsTensorsAndMetadata(String model, @TempDir Path dir) throws IOException {
        for (boolean emptyFirst : new boolean[] {false, true}) {
            Path partsDir = Files.createDirectory(dir.resolve("parts-" + emptyFirst));
            try (GgufFile whole = GgufFile.open(TestData.file(model));
                 GgufModelFiles parts = GgufModelFiles.open(split(whole, partsDir, 3, emptyFirst, Map.of()))) {
                assertEquals(3, parts.parts().size());
                assertEquals(whole.architecture(), parts.architecture());
                Map<String, GgufValue> metadata = new LinkedHashMap<>(parts.metadata().asMap());
                metadata.keySet().removeIf(k -> k.startsWith("split."));
                assertEquals(whole.metadata().asMap(), metadata);
                assertEquals(whole.tensors().size(), parts.tensors().size());
                for (int i = 0; i < whole.tensors().size(); i++) {
                    Tensor a = whole.tensors().get(i);
                    Tensor b = parts.tensors().get(i);
                    assertEquals(a.name(), b.name());
                    assertEquals(a.type(), b.type());
                    assertArrayEquals(a.shape(), b.shape());
                    assertEquals(-1, a.data().mismatch(b.data()), "data of " + a.name());
                    assertEquals(b, parts.tensor(a.name()));
                }
            }
        }
    }

    /**
     * Read into memory, a split model has the same metadata and tensor bytes as mapped, every
     * part's tensors in memory of its own (not the file's pages), and tensor offsets as the file states.
     */
    @ParameterizedTest
    @MethodSource("models")
    void inMemoryIsTheMappedModel(String model, @TempDir Path dir) throws IOException {
        try (GgufFile whole = GgufFile.open(TestData.file(model))) {
            Path first = split(whole, dir, 2);
            try (GgufModelFiles mapped = GgufModelFiles.open(first);
                 GgufModelFiles copied = GgufModelFiles.open(first, GgufFile.Storage.IN_MEMORY)) {
                assertEquals(mapped.metadata().asMap(), copied.metadata().asMap());
                assertEquals(mapped.tensors().size(), copied.tensors().size());
                for (int i = 0; i < mapped.tensors().size(); i++) {
                    Tensor a = mapped.tensors().get(i);
                    Tensor b = copied.tensors().get(i);
                    assertEquals(a.name(), b.name());
                    assertEquals(-1, a.data().mismatch(b.data()), "data of " + a.name());
                    assertTrue(a.data().isMapped() && !b.data().isMapped() && b.data().isNative(), a.name());
                }
                for (int p = 0; p < mapped.parts().size(); p++) {
                    GgufFile a = mapped.parts().get(p);
                    GgufFile b = copied.parts().get(p);
                    for (Tensor t : a.tensors()) {
                        assertEquals(a.tensorOffset(t), b.tensorOffset(b.tensor(t.name())), t.name());
                    }
                }
            }
        }
    }

    @Test
    void unsplitFileIsOnePart() throws IOException {
        Path file = TestData.file("models/qwen2.Q4_0.gguf");
        try (GgufFile whole = GgufFile.open(file); GgufModelFiles model = GgufModelFiles.open(file)) {
            assertEquals(1, model.parts().size());
            assertEquals(whole.tensors().size(), model.tensors().size());
            assertEquals(Files.size(file), model.size());
        }
    }

    @Test
    void missingPartIsNamed(@TempDir Path dir) throws IOException {
        try (GgufFile whole = GgufFile.open(TestData.file("models/qwen2.Q8_0.gguf"))) {
            Path first = split(whole, dir, 3);
            Files.delete(dir.resolve("model-00002-of-00003.gguf"));
            IOException e = assertThrows(IOException.class, () -> GgufModelFiles.open(first));
            assertEquals("part 2 of 3 of model-00001-of-00003.gguf is missing: " + dir.resolve("model-00002-of-00003.gguf"), e.getMessage());
        }
    }

    @Test
    void openingALaterPartPointsToTheFirst(@TempDir Path dir) throws IOException {
        try (GgufFile whole = GgufFile.open(TestData.file("models/qwen2.Q8_0.gguf"))) {
            split(whole, dir, 3);
            Path second = dir.resolve("model-00002-of-00003.gguf");
            IOException e = assertThrows(IOException.class, () -> GgufModelFiles.open(second));
            assertEquals(second + " is part 2 of 3 of a split model; open part 1: " + dir.resolve("model-00001-of-00003.gguf"), e.getMessage());
        }
    }

    @Test
    void partThatSaysItIsAnotherPartIsRefused(@TempDir Path dir) throws IOException {
        try (GgufFile whole = GgufFile.open(TestData.file("models/qwen2.Q8_0.gguf"))) {
            Path first = split(whole, dir, 3, false, Map.of(2, 1));
            IOException e = assertThrows(IOException.class, () -> GgufModelFiles.open(first));
            assertTrue(e.getMessage().endsWith("model-00003-of-00003.gguf should be part 3 of 3 but says it is part 2 of 3"), e.getMessage());
        }
    }

    @Test
    void renamedFirstPartCannotFindTheOthers(@TempDir Path dir) throws IOException {
        try (GgufFile whole = GgufFile.open(TestData.file("models/qwen2.Q8_0.gguf"))) {
            Path renamed = Files.move(split(whole, dir, 2), dir.resolve("model.gguf"));
            IOException e = assertThrows(IOException.class, () -> GgufModelFiles.open(renamed));
            assertTrue(e.getMessage().contains("its name does not end in -00001-of-00002.gguf"), e.getMessage());
        }
    }

    @Test
    void tensorCountMustMatchTheDeclaredTotal(@TempDir Path dir) throws IOException {
        try (GgufFile whole = GgufFile.open(TestData.file("models/qwen2.Q8_0.gguf"))) {
            split(whole, dir, 2);
            // A second part with no tensors: the declared total no longer adds up.
            new GgufWriter()
                    .put(GgufModelFiles.SPLIT_NO, new GgufValue(GgufValueType.UINT16, (short) 1))
                    .put(GgufModelFiles.SPLIT_COUNT, new GgufValue(GgufValueType.UINT16, (short) 2))
                    .put(GgufModelFiles.SPLIT_TENSORS_COUNT, GgufValue.ofInt32(whole.tensors().size()))
                    .write(dir.resolve("model-00002-of-00002.gguf"));
            IOException e = assertThrows(IOException.class, () -> GgufModelFiles.open(dir.resolve("model-00001-of-00002.gguf")));
            assertTrue(e.getMessage().contains("split.tensors.count says " + whole.tensors().size() + " tensors but the 2 parts hold"), e.getMessage());
        }
    }

    @Test
    void splitNames() {
        SplitName n = SplitName.parse("DeepSeek-R1-Q4_K_M-00003-of-00009.gguf");
        assertEquals(new SplitName("DeepSeek-R1-Q4_K_M", 3, 9), n);
        assertEquals("DeepSeek-R1-Q4_K_M-00001-of-00009.gguf", n.fileName(1));
        assertNull(SplitName.parse("DeepSeek-R1-Q4_K_M.gguf"));
        assertNull(SplitName.parse("x-00004-of-00003.gguf"));
        assertNull(SplitName.parse("x-1-of-3.gguf"));
    }
}

package dev.jseek.tensor;

import dev.jseek.gguf.GgufFile;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Stream;

/** Parameter sources and zoo access shared by the tensor type tests. */
final class TypeCases {

    private TypeCases() {
    }

    /** Every type with a kernel; each has a zoo file. */
    static Stream<GgmlType> supported() {
        return Arrays.stream(GgmlType.values()).filter(GgmlType::isSupported);
    }

    static Stream<GgmlType> quantizable() {
        return supported().filter(t -> t.kernel().canQuantize());
    }

    /** {@code models/zoo.<TYPE>.gguf}, or with {@code suffix} ".dequant" its ggml dequantization. */
    static GgufFile zoo(GgmlType type, String suffix) throws IOException {
        return GgufFile.open(TestData.file("models/zoo." + type.name() + suffix + ".gguf"));
    }
}

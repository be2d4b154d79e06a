package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jseek.gguf.GgufFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quantizing the zoo's F32 weights reproduces llama-quantize's bytes: without an importance
 * matrix it uses ggml's reference row quantizers, which ours follow operation for operation.
 */
class QuantizeZooTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jseek.tensor.TypeCases#quantizable")
    void byteIdenticalToLlamaQuantize(GgmlType type) throws IOException {
        try (GgufFile source = TypeCases.zoo(GgmlType.F32, ""); GgufFile quantized = TypeCases.zoo(type, "")) {
            int checked = 0;
            for (Tensor f : source.tensors()) {
                if (f.shape().length != 2) {
                    continue;
                }
                Tensor expected = quantized.tensor(f.name());
                assertNotNull(expected, f.name() + " missing from zoo." + type);
                assertEquals(type, expected.type(), f.name() + " type");
                int n = f.rowLength();
                float[] row = new float[n];
                MemorySegment ours = MemorySegment.ofArray(new byte[Math.toIntExact(type.bytesFor(n))]);
                for (long r = 0; r < f.rows(); r++) {
                    f.dequantizeRow(r, row, 0);
                    type.kernel().quantize(row, 0, ours, 0, n);
                    MemorySegment theirs = expected.data().asSlice(r * expected.rowBytes(), expected.rowBytes());
                    long at = ours.mismatch(theirs);
                    if (at >= 0) {
                        fail(type + " " + f.name() + " row " + r + ": first differing byte " + at + " (block "
                                + at / type.blockBytes + ", byte " + at % type.blockBytes + " in it): ours 0x"
                                + Integer.toHexString(ours.get(JAVA_BYTE, at) & 0xFF)
                                + ", llama-quantize 0x"
                                + Integer.toHexString(theirs.get(JAVA_BYTE, at) & 0xFF));
                    }
                }
                // All rows in one call: scratch state carried from block to block must not leak.
                int rows = Math.toIntExact(f.rows());
                float[] all = new float[rows * n];
                for (int r = 0; r < rows; r++) {
                    f.dequantizeRow(r, all, r * n);
                }
                MemorySegment whole = MemorySegment.ofArray(new byte[Math.toIntExact(rows * expected.rowBytes())]);
                type.kernel().quantize(all, 0, whole, 0, all.length);
                assertEquals(-1, whole.mismatch(expected.data().asSlice(0, whole.byteSize())),
                        type + " " + f.name() + " quantized in one call: first differing byte");
                checked++;
            }
            assertEquals(9, checked, "2-D tensors in the zoo");
        }
    }
}

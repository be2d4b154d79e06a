package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jseek.gguf.GgufFile;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every zoo tensor dequantizes to exactly the floats ggml's own dequantizer produced. */
class DequantizeZooTest {

    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jseek.tensor.TypeCases#supported")
    void bitIdenticalToGgml(GgmlType type) throws IOException {
        try (GgufFile quantized = TypeCases.zoo(type, ""); GgufFile reference = TypeCases.zoo(type, ".dequant")) {
            List<Tensor> qs = quantized.tensors();
            List<Tensor> rs = reference.tensors();
            assertEquals(rs.stream().map(Tensor::name).toList(), qs.stream().map(Tensor::name).toList(), "tensor names and order");
            for (int t = 0; t < qs.size(); t++) {
                Tensor q = qs.get(t);
                Tensor r = rs.get(t);
                assertArrayEquals(r.shape(), q.shape(), q.name() + " shape");
                assertEquals(GgmlType.F32, r.type(), r.name() + " type in the dequantized file");
                assertEquals(q.shape().length == 2 ? type : GgmlType.F32, q.type(), q.name() + " type");

                float[] ours = new float[Math.toIntExact(q.elementCount())];
                for (long row = 0; row < q.rows(); row++) {
                    q.dequantizeRow(row, ours, Math.toIntExact(row * q.rowLength()));
                }
                for (int i = 0; i < ours.length; i++) {
                    float expected = r.data().get(FLOAT_LE, 4L * i);
                    if (Float.floatToRawIntBits(ours[i]) != Float.floatToRawIntBits(expected)) {
                        fail(type + " " + q.name() + " element " + i + " (row " + i / q.rowLength() + ", column "
                                + i % q.rowLength() + "): dequantized " + ours[i] + " (0x"
                                + Integer.toHexString(Float.floatToRawIntBits(ours[i])) + "), ggml " + expected + " (0x"
                                + Integer.toHexString(Float.floatToRawIntBits(expected)) + ")");
                    }
                }
            }
        }
    }
}

package dev.jseek.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jseek.tensor.GgmlType;
import dev.jseek.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files past 2 GiB map and read like small ones (a sparse file, so the test costs no disk). */
class GgufLargeFileTest {

    @Test
    void tensorBeyondTwoGibibytes(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("large.gguf");
        long rows = 3L << 20; // 3 Mi rows of 256 floats: 3 GiB of tensor data
        ByteBuffer h = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = "big".getBytes(StandardCharsets.UTF_8);
        h.putInt(0x46554747).putInt(3).putLong(1).putLong(0);
        h.putLong(name.length).put(name).putInt(2).putLong(256).putLong(rows).putInt(GgmlType.F32.id).putLong(0);
        int dataStart = (h.position() + 31) / 32 * 32;
        long end = dataStart + rows * 256 * 4;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(h.flip());
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0x40, 0x40}), end - 4); // the last float: 3.0f
        }
        try (GgufFile f = GgufFile.open(p)) {
            Tensor t = f.tensor("big");
            assertEquals(rows * 1024, t.data().byteSize());
            assertEquals(end, f.size());
            assertEquals(3.0f, t.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), t.data().byteSize() - 4));
        }
    }
}

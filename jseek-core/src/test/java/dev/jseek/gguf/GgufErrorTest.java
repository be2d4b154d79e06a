package dev.jseek.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of broken file gets its own one-line error naming the problem and the offset. */
class GgufErrorTest {

    /** Builds GGUF bytes by hand, so each test can break exactly one thing. */
    static final class Raw {
        final ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        Raw u32(long v) {
            b.putInt((int) v);
            return this;
        }

        Raw u64(long v) {
            b.putLong(v);
            return this;
        }

        Raw str(String s) {
            byte[] x = s.getBytes(StandardCharsets.UTF_8);
            b.putLong(x.length).put(x);
            return this;
        }

        Raw header(long tensors, long kvs) {
            return u32(0x46554747).u32(3).u64(tensors).u64(kvs);
        }

        Raw kvU32(String key, long v) {
            return str(key).u32(4).u32(v);
        }

        Raw tensor(String name, long ne0, long ne1, int type, long offset) {
            return str(name).u32(2).u64(ne0).u64(ne1).u32(type).u64(offset);
        }

        int pos() {
            return b.position();
        }

        Raw padTo(int alignment) {
            while (b.position() % alignment != 0) {
                b.put((byte) 0);
            }
            return this;
        }

        Raw zeros(int n) {
            b.put(new byte[n]);
            return this;
        }

        byte[] bytes() {
            return Arrays.copyOf(b.array(), b.position());
        }
    }

    private static GgufFormatException fails(byte[] image, String expected, long offset) {
        GgufFormatException e = assertThrows(GgufFormatException.class,
                () -> GgufFile.parse("bad.gguf", MemorySegment.ofArray(image)));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' should name: " + expected);
        assertTrue(e.getMessage().startsWith("bad.gguf: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(at byte " + offset + ")"), e.getMessage());
        assertEquals(offset, e.offset());
        assertTrue(e.getMessage().lines().count() == 1, "one line: " + e.getMessage());
        return e;
    }

    /** A valid file with one F32 tensor of 8x2 floats, to break in the tests below. */
    private static Raw valid() {
        Raw r = new Raw().header(1, 1).kvU32("general.alignment", 32).tensor("w", 8, 2, 0, 0).padTo(32);
        return r.zeros(64);
    }

    @Test
    void validFileLoads() {
        GgufFile f = GgufFile.parse("ok.gguf", MemorySegment.ofArray(valid().bytes()));
        assertEquals(1, f.tensors().size());
        assertEquals(64, f.tensor("w").data().byteSize());
        assertEquals(0, f.tensorOffset(f.tensor("w")));
    }

    /**
     * Read into memory, a file larger than the memory the system has available is refused in
     * one line before anything is allocated (a sparse file: no disk used); mapped, the same file
     * opens as far as its header says.
     */
    @Test
    void inMemoryRefusesAFileLargerThanAvailableMemory(@TempDir Path dir) throws IOException {
        long available = GgufFile.availableMemory();
        assumeTrue(available > 0, "no MemAvailable in /proc/meminfo");
        Path big = dir.resolve("big.gguf");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.write(valid().bytes());
            f.setLength(available + (1L << 30));
        }
        IOException e = assertThrows(IOException.class, () -> GgufFile.open(big, GgufFile.Storage.IN_MEMORY));
        assertTrue(e.getMessage().contains("reading it into memory needs") && e.getMessage().contains("are available"), e.getMessage());
        try (GgufFile mapped = GgufFile.open(big)) {
            assertEquals(1, mapped.tensors().size());
        }
    }

    @Test
    void emptyFile() {
        fails(new byte[0], "file is empty", 0);
    }

    @Test
    void wrongMagic() {
        byte[] b = valid().bytes();
        b[0] = 'X';
        fails(b, "not a GGUF file: wrong magic \"XGUF\"", 0);
    }

    @Test
    void unsupportedVersions() {
        fails(new Raw().u32(0x46554747).u32(1).u64(0).u64(0).bytes(), "unsupported GGUF version 1", 4);
        fails(new Raw().u32(0x46554747).u32(4).u64(0).u64(0).bytes(), "unsupported GGUF version 4", 4);
        fails(new Raw().u32(0x46554747).u32(Integer.reverseBytes(3)).u64(0).u64(0).bytes(), "big-endian", 4);
    }

    @Test
    void version2Loads() {
        byte[] b = valid().bytes();
        b[4] = 2;
        assertEquals(2, GgufFile.parse("v2.gguf", MemorySegment.ofArray(b)).version());
    }

    @Test
    void truncatedHeader() {
        byte[] b = Arrays.copyOf(valid().bytes(), 10);
        fails(b, "truncated: tensor count needs 8 bytes", 8);
    }

    @Test
    void truncatedData() {
        byte[] full = valid().bytes();
        byte[] b = Arrays.copyOf(full, full.length - 1);
        fails(b, "tensor 'w' data (64 bytes at data offset 0) runs past the end of the file", 57);
    }

    @Test
    void tensorPastEndOfFile() {
        Raw r = new Raw().header(1, 0).tensor("w", 8, 2, 0, 4096).padTo(32).zeros(64);
        fails(r.bytes(), "runs past the end of the file", 24);
    }

    @Test
    void overlappingTensors() {
        Raw r = new Raw().header(2, 0).tensor("a", 8, 2, 0, 0).tensor("b", 8, 2, 0, 32).padTo(32);
        int dataStart = r.pos();
        fails(r.zeros(128).bytes(), "tensors 'a' and 'b' overlap", dataStart + 32);
    }

    @Test
    void stringLongerThanFile() {
        Raw r = new Raw().header(0, 1).u64(1L << 40);
        fails(r.zeros(16).bytes(), "length 1099511627776 of metadata key runs past the end of the file", 24);
    }

    @Test
    void arrayLongerThanFile() {
        Raw r = new Raw().header(0, 1).str("tokenizer.ggml.tokens").u32(9).u32(8).u64(1L << 50);
        int countAt = r.pos() - 8;
        fails(r.zeros(16).bytes(), "count of elements in array 'tokenizer.ggml.tokens' (1125899906842624) is larger than the file can hold", countAt);
    }

    @Test
    void hugeCountsInHeader() {
        fails(new Raw().header(-1, 0).bytes(), "count of tensors (18446744073709551615) is larger than the file can hold", 8);
        fails(new Raw().header(0, 1L << 40).bytes(), "count of metadata entries", 16);
    }

    @Test
    void duplicateKeys() {
        Raw r = new Raw().header(0, 2).kvU32("a.b", 1);
        int second = r.pos();
        fails(r.kvU32("a.b", 2).bytes(), "duplicate metadata key 'a.b'", second);
    }

    @Test
    void duplicateTensorNames() {
        Raw r = new Raw().header(2, 0).tensor("w", 8, 2, 0, 0);
        int second = r.pos();
        fails(r.tensor("w", 8, 2, 0, 64).padTo(32).zeros(128).bytes(), "duplicate tensor name 'w'", second);
    }

    @Test
    void unknownTensorTypeIsNamedByNumber() {
        Raw r = new Raw().header(1, 0).str("w").u32(2).u64(8).u64(2);
        int typeAt = r.pos();
        fails(r.u32(77).u64(0).padTo(32).zeros(64).bytes(), "tensor 'w' has unknown tensor type 77", typeAt);
    }

    @Test
    void knownButUnsupportedTypeIsNamed() {
        Raw r = new Raw().header(1, 0).str("w").u32(2).u64(256).u64(1);
        int typeAt = r.pos();
        fails(r.u32(16).u64(0).padTo(32).zeros(128).bytes(), "tensor type 16 (IQ2_XXS), which is not supported yet", typeAt);
    }

    @Test
    void unknownValueType() {
        Raw r = new Raw().header(0, 1).str("k");
        int at = r.pos();
        fails(r.u32(13).u32(0).bytes(), "unknown metadata value type of 'k' 13", at);
    }

    @Test
    void misalignedTensorOffset() {
        Raw r = new Raw().header(1, 0).str("w").u32(2).u64(8).u64(2).u32(0);
        int at = r.pos();
        fails(r.u64(3).padTo(32).zeros(96).bytes(), "data offset 3 is not a multiple of the alignment 32", at);
    }

    @Test
    void badAlignment() {
        fails(new Raw().header(0, 1).kvU32("general.alignment", 24).bytes(), "general.alignment 24 is not a power of two", 24);
    }

    @Test
    void rowNotMultipleOfBlock() {
        Raw r = new Raw().header(1, 0);
        int at = r.pos();
        r.str("w");
        int dimsAt = r.pos();
        fails(r.u32(2).u64(33).u64(1).u32(8).u64(0).padTo(32).zeros(64).bytes(),
                "tensor 'w' row length 33 is not a multiple of the Q8_0 block size 32", dimsAt);
        assertTrue(at < dimsAt);
    }

    @Test
    void deeplyNestedArrays() {
        Raw r = new Raw().header(0, 1).str("k").u32(9);
        for (int i = 0; i < 20; i++) {
            r.u32(9).u64(1);
        }
        fails(r.bytes(), "nests arrays deeper than 8", 24 + 8 + 1 + 4 + 8 * 12);
    }

    @Test
    void openingFromDiskReportsThePath(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("broken.gguf");
        Files.write(p, "GGUF".getBytes(StandardCharsets.US_ASCII));
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().startsWith(p + ": truncated: version"), e.getMessage());
    }
}

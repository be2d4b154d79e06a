package dev.jseek.gguf;

import dev.jseek.gguf.GgufValue.GgufArray;
import dev.jseek.tensor.GgmlType;
import dev.jseek.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes GGUF v3 files: metadata in insertion order, tensor directory, data padded to the
 * alignment. The file appears under its name only once completely written.
 */
public final class GgufWriter {

    private final LinkedHashMap<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** Produces a tensor's values one row at a time, so a tensor never has to fit in memory. */
    @FunctionalInterface
    public interface RowSource {
        /** Fills {@code row} (the row length) with the values of row {@code index}. */
        void fill(long index, float[] row);
    }

    /** A tensor to write: its encoded bytes, or a source of float rows to encode on the way out. */
    private record Entry(String name, GgmlType type, long[] shape, long bytes, MemorySegment data, RowSource rows) {
    }

    /** Sets a metadata value; a key set twice keeps its first position and the last value. */
    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    /** Copies every key of {@code m}, in its order. */
    public GgufWriter putAll(GgufMetadata m) {
        m.asMap().forEach(this::put);
        return this;
    }

    /** Adds a tensor whose data is already encoded in its type (e.g. a tensor of another file). */
    public GgufWriter add(Tensor t) {
        long expected = checkTensor(t.name(), t.type(), t.shape());
        if (t.data().byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has " + t.data().byteSize()
                    + " bytes of data; its type and shape need " + expected);
        }
        tensors.add(new Entry(t.name(), t.type(), t.shape(), expected, t.data(), null));
        return this;
    }

    /** Adds a tensor whose rows are generated and encoded into {@code type} while the file is written. */
    public GgufWriter add(String name, GgmlType type, long[] shape, RowSource rows) {
        long bytes = checkTensor(name, type, shape);
        if (!type.kernel().canQuantize()) {
            throw new IllegalArgumentException("cannot encode tensor '" + name + "' as " + type + ": no quantizer for it yet");
        }
        tensors.add(new Entry(name, type, shape.clone(), bytes, null, rows));
        return this;
    }

    /** Checks a tensor's name and shape and returns the bytes its data takes. */
    private long checkTensor(String name, GgmlType type, long[] shape) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > GgufReader.MAX_TENSOR_NAME) {
            throw new IllegalArgumentException("tensor name longer than " + GgufReader.MAX_TENSOR_NAME + " bytes: '" + name + "'");
        }
        if (shape.length < 1 || shape.length > GgufReader.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' must have 1 to " + GgufReader.MAX_DIMS + " dimensions");
        }
        if (shape[0] % type.blockSize != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' row length " + shape[0]
                    + " is not a multiple of the " + type + " block size " + type.blockSize);
        }
        long elements = 1;
        for (long d : shape) {
            elements = Math.multiplyExact(elements, d);
        }
        return type.bytesFor(elements);
    }

    /** Adds a tensor given as floats, encoded row by row into {@code type} with its quantizer. */
    public GgufWriter add(String name, GgmlType type, long[] shape, float[] values) {
        int rowLength = Math.toIntExact(shape[0]);
        long elements = 1;
        for (long d : shape) {
            elements *= d;
        }
        if (values.length != elements) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + values.length + " values for a shape of " + elements);
        }
        return add(name, type, shape, (r, row) -> System.arraycopy(values, Math.toIntExact(r * rowLength), row, 0, rowLength));
    }

    /** Writes the file to a temporary name beside {@code path}, then moves it into place. */
    public void write(Path path) throws IOException {
        long alignment = alignment();
        Path dir = path.toAbsolutePath().getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + path.getFileName(), ".partial");
        } catch (IOException e) {
            throw new IOException("cannot write " + path + ": cannot create a file in " + dir, e);
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Header h = new Header();
                h.u32(GgufReader.MAGIC).u32(3).u64(tensors.size()).u64(metadata.size());
                for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
                    h.string(e.getKey()).u32(e.getValue().type().id());
                    h.value(e.getValue());
                }
                long offset = 0;
                for (Entry t : tensors) {
                    h.string(t.name()).u32(t.shape().length);
                    for (long d : t.shape()) {
                        h.u64(d);
                    }
                    h.u32(t.type().id).u64(offset);
                    offset = alignUp(offset + t.bytes(), alignment);
                }
                if (!tensors.isEmpty()) {
                    h.pad(alignment); // as llama.cpp: a file without tensors ends right after its metadata
                }
                writeFully(ch, h.buffer.flip());
                long written = 0;
                for (Entry t : tensors) {
                    if (t.data() != null) {
                        writeSegment(ch, t.data());
                    } else {
                        writeRows(ch, t);
                    }
                    written += t.bytes();
                    long padded = alignUp(written, alignment);
                    writeFully(ch, ByteBuffer.allocate((int) (padded - written)));
                    written = padded;
                }
                ch.force(true);
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private long alignment() {
        GgufValue v = metadata.get("general.alignment");
        if (v == null) {
            return GgufReader.DEFAULT_ALIGNMENT;
        }
        long a = v.type() == GgufValueType.UINT32 ? v.asLong() : 0;
        if (a == 0 || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException("general.alignment must be a UINT32 power of two, not " + v.type() + " " + v);
        }
        return a;
    }

    /** Generates, encodes and writes a tensor's rows in chunks of about a mebibyte. */
    private static void writeRows(FileChannel ch, Entry t) throws IOException {
        int rowLength = Math.toIntExact(t.shape()[0]);
        long rows = t.bytes() / t.type().bytesFor(rowLength);
        long rowBytes = t.type().bytesFor(rowLength);
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, (1 << 20) / rowBytes));
        float[] row = new float[rowLength];
        ByteBuffer chunk = ByteBuffer.allocateDirect(Math.toIntExact(rowsPerChunk * rowBytes));
        MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk);
        for (long r = 0; r < rows; r += rowsPerChunk) {
            int n = (int) Math.min(rowsPerChunk, rows - r);
            for (int i = 0; i < n; i++) {
                t.rows().fill(r + i, row);
                t.type().kernel().quantize(row, 0, chunkSegment, i * rowBytes, rowLength);
            }
            chunk.clear().limit(Math.toIntExact(n * rowBytes));
            writeFully(ch, chunk);
        }
    }

    private static void writeSegment(FileChannel ch, MemorySegment data) throws IOException {
        final long chunk = 1 << 30;
        for (long off = 0; off < data.byteSize(); off += chunk) {
            writeFully(ch, data.asSlice(off, Math.min(chunk, data.byteSize() - off)).asByteBuffer());
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static long alignUp(long x, long alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    /** The header and directory, built in memory (they are small next to the tensor data). */
    private static final class Header {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private Header ensure(long n) {
            if (buffer.remaining() < n) {
                long want = Math.max((long) buffer.capacity() * 2, buffer.position() + n);
                ByteBuffer bigger = ByteBuffer.allocate(Math.toIntExact(want)).order(ByteOrder.LITTLE_ENDIAN);
                buffer = bigger.put(buffer.flip());
            }
            return this;
        }

        Header u8(int v) {
            ensure(1).buffer.put((byte) v);
            return this;
        }

        Header u16(int v) {
            ensure(2).buffer.putShort((short) v);
            return this;
        }

        Header u32(int v) {
            ensure(4).buffer.putInt(v);
            return this;
        }

        Header u64(long v) {
            ensure(8).buffer.putLong(v);
            return this;
        }

        Header string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            ensure(b.length).buffer.put(b);
            return this;
        }

        Header pad(long alignment) {
            while (buffer.position() % alignment != 0) {
                u8(0);
            }
            return this;
        }

        void value(GgufValue v) {
            Object x = v.value();
            switch (v.type()) {
                case UINT8, INT8 -> u8((Byte) x);
                case UINT16, INT16 -> u16((Short) x);
                case UINT32, INT32 -> u32((Integer) x);
                case UINT64, INT64 -> u64((Long) x);
                case FLOAT32 -> u32(Float.floatToRawIntBits((Float) x));
                case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) x));
                case BOOL -> u8((Boolean) x ? 1 : 0);
                case STRING -> string((String) x);
                case ARRAY -> array((GgufArray) x);
            }
        }

        void array(GgufArray a) {
            int n = a.length();
            u32(a.elementType().id()).u64(n);
            Object vs = a.values();
            for (int i = 0; i < n; i++) {
                switch (a.elementType()) {
                    case UINT8, INT8 -> u8(((byte[]) vs)[i]);
                    case UINT16, INT16 -> u16(((short[]) vs)[i]);
                    case UINT32, INT32 -> u32(((int[]) vs)[i]);
                    case UINT64, INT64 -> u64(((long[]) vs)[i]);
                    case FLOAT32 -> u32(Float.floatToRawIntBits(((float[]) vs)[i]));
                    case FLOAT64 -> u64(Double.doubleToRawLongBits(((double[]) vs)[i]));
                    case BOOL -> u8(((boolean[]) vs)[i] ? 1 : 0);
                    case STRING -> string(((String[]) vs)[i]);
                    case ARRAY -> array(((GgufArray[]) vs)[i]);
                }
            }
        }
    }
}

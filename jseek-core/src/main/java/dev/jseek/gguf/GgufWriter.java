package dev.jseek.gguf;

import dev.jseek.gguf.GgufValue.GgufArray;
import dev.jseek.tensor.GgmlType;
import dev.jseek.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
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
    private final List<Tensor> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

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
        if (!names.add(t.name())) {
            throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
        }
        if (t.name().getBytes(StandardCharsets.UTF_8).length > GgufReader.MAX_TENSOR_NAME) {
            throw new IllegalArgumentException("tensor name longer than " + GgufReader.MAX_TENSOR_NAME + " bytes: '" + t.name() + "'");
        }
        if (t.shape().length < 1 || t.shape().length > GgufReader.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' must have 1 to " + GgufReader.MAX_DIMS + " dimensions");
        }
        if (t.shape()[0] % t.type().blockSize != 0) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' row length " + t.shape()[0]
                    + " is not a multiple of the " + t.type() + " block size " + t.type().blockSize);
        }
        long expected = t.type().bytesFor(t.elementCount());
        if (t.data().byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has " + t.data().byteSize()
                    + " bytes of data; its type and shape need " + expected);
        }
        tensors.add(t);
        return this;
    }

    /** Adds a tensor given as floats, encoded row by row into {@code type} with its quantizer. */
    public GgufWriter add(String name, GgmlType type, long[] shape, float[] values) {
        long rowLength = shape[0];
        if (rowLength % type.blockSize != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' row length " + rowLength
                    + " is not a multiple of the " + type + " block size " + type.blockSize);
        }
        MemorySegment data = Arena.ofAuto().allocate(type.bytesFor(values.length), 64);
        long rows = values.length / rowLength;
        for (long r = 0; r < rows; r++) {
            type.kernel().quantize(values, Math.toIntExact(r * rowLength), data, r * type.bytesFor(rowLength), (int) rowLength);
        }
        return add(new Tensor(name, type, shape.clone(), data));
    }

    /** Writes the file to a temporary name beside {@code path}, then moves it into place. */
    public void write(Path path) throws IOException {
        long alignment = alignment();
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".partial");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Header h = new Header();
                h.u32(GgufReader.MAGIC).u32(3).u64(tensors.size()).u64(metadata.size());
                for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
                    h.string(e.getKey()).u32(e.getValue().type().id());
                    h.value(e.getValue());
                }
                long offset = 0;
                for (Tensor t : tensors) {
                    h.string(t.name()).u32(t.shape().length);
                    for (long d : t.shape()) {
                        h.u64(d);
                    }
                    h.u32(t.type().id).u64(offset);
                    offset = alignUp(offset + t.data().byteSize(), alignment);
                }
                if (!tensors.isEmpty()) {
                    h.pad(alignment); // as llama.cpp: a file without tensors ends right after its metadata
                }
                writeFully(ch, h.buffer.flip());
                long written = 0;
                for (Tensor t : tensors) {
                    writeSegment(ch, t.data());
                    written += t.data().byteSize();
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

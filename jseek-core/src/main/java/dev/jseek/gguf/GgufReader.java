package dev.jseek.gguf;

import dev.jseek.gguf.GgufValue.GgufArray;
import dev.jseek.tensor.GgmlType;
import dev.jseek.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Parses a GGUF v2/v3 image. Every count and length is checked against the bytes that remain
 * before anything is allocated, so a corrupt file fails fast with the offset of the problem
 * instead of exhausting memory or looping.
 */
final class GgufReader {

    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    static final long DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    /** ggml's GGML_MAX_NAME less the terminating zero. */
    static final int MAX_TENSOR_NAME = 63;
    /** Arrays of arrays deeper than this are refused rather than recursed into. */
    static final int MAX_ARRAY_NESTING = 8;
    /**
     * Real metadata arrays (vocabularies, merges) have at most a few million entries; a larger
     * count is taken as corruption rather than a reason to fill the heap.
     */
    static final int MAX_ARRAY_LENGTH = 1 << 26;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final MemorySegment image;
    private final long size;
    private long pos;

    private GgufReader(String source, MemorySegment image) {
        this.source = source;
        this.image = image;
        this.size = image.byteSize();
    }

    static GgufFile read(String source, MemorySegment image, Arena arena) {
        return new GgufReader(source, image).read(arena);
    }

    private record TensorInfo(String name, GgmlType type, long[] shape, long offset, long bytes, long infoOffset) {
    }

    private GgufFile read(Arena arena) {
        if (size < 4) {
            throw error(0, size == 0 ? "file is empty" : "file is too short to be GGUF (" + size + " bytes)");
        }
        int magic = image.get(U32, 0);
        if (magic != MAGIC) {
            throw error(0, "not a GGUF file: wrong magic " + magicText(magic));
        }
        pos = 4;
        int version = readU32("version");
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw error(4, "big-endian GGUF files are not supported");
            }
            throw error(4, "unsupported GGUF version " + Integer.toUnsignedString(version) + " (supported: 2, 3)");
        }
        long tensorCountAt = pos;
        long tensorCount = readU64("tensor count");
        long kvCountAt = pos;
        long kvCount = readU64("metadata count");
        // Each key-value takes at least 13 bytes and each tensor entry at least 24.
        checkCount(kvCountAt, kvCount, 13, "metadata entries");
        checkCount(tensorCountAt, tensorCount, 24, "tensors");

        LinkedHashMap<String, GgufValue> kv = new LinkedHashMap<>();
        long alignmentAt = 0;
        for (long i = 0; i < kvCount; i++) {
            long keyAt = pos;
            String key = readString("metadata key");
            long typeAt = pos;
            GgufValueType type = readValueType("metadata value type of " + quote(key), typeAt);
            GgufValue value = readValue(type, key, 0);
            if (kv.putIfAbsent(key, value) != null) {
                throw error(keyAt, "duplicate metadata key " + quote(key));
            }
            if (key.equals("general.alignment")) {
                alignmentAt = keyAt;
            }
        }
        GgufMetadata metadata = new GgufMetadata(kv);
        long alignment = alignmentOf(kv.get("general.alignment"), alignmentAt);

        List<TensorInfo> infos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            TensorInfo info = readTensorInfo(alignment);
            if (!names.add(info.name)) {
                throw error(info.infoOffset, "duplicate tensor name " + quote(info.name));
            }
            infos.add(info);
        }

        long dataOffset = alignUp(pos, alignment);
        if (!infos.isEmpty() && dataOffset > size) {
            throw error(size, "truncated: the data section should start at byte " + dataOffset);
        }
        long dataSize = Math.max(0, size - dataOffset);
        checkPlacement(infos, dataOffset, dataSize);

        List<Tensor> tensors = new ArrayList<>(infos.size());
        for (TensorInfo info : infos) {
            MemorySegment data = image.asSlice(dataOffset + info.offset, info.bytes);
            tensors.add(new Tensor(info.name, info.type, info.shape, data));
        }
        return new GgufFile(source, version, metadata, tensors, alignment, dataOffset, image, arena);
    }

    private TensorInfo readTensorInfo(long alignment) {
        long at = pos;
        String name = readString("tensor name");
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME) {
            throw error(at, "tensor name longer than " + MAX_TENSOR_NAME + " bytes: " + quote(name));
        }
        long dimsAt = pos;
        int nDims = readU32("dimension count of tensor " + quote(name));
        if (nDims < 1 || nDims > MAX_DIMS) {
            throw error(dimsAt, "tensor " + quote(name) + " has " + Integer.toUnsignedString(nDims) + " dimensions (1 to " + MAX_DIMS + " allowed)");
        }
        long[] shape = new long[nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            long dimAt = pos;
            shape[d] = readU64("shape of tensor " + quote(name));
            if (shape[d] < 0) {
                throw error(dimAt, "tensor " + quote(name) + " has a negative dimension " + shape[d]);
            }
            if (shape[d] != 0 && elements > Long.MAX_VALUE / shape[d]) {
                throw error(dimAt, "tensor " + quote(name) + " has too many elements");
            }
            elements *= shape[d];
        }
        long typeAt = pos;
        int typeId = readU32("type of tensor " + quote(name));
        GgmlType type = GgmlType.byId(Integer.toUnsignedLong(typeId));
        if (type == null) {
            throw error(typeAt, "tensor " + quote(name) + " has unknown tensor type " + Integer.toUnsignedString(typeId));
        }
        if (!type.isSupported()) {
            throw error(typeAt, "tensor " + quote(name) + " has tensor type " + typeId + " (" + type.name() + "), which is not supported yet");
        }
        if (shape[0] % type.blockSize != 0) {
            throw error(dimsAt, "tensor " + quote(name) + " row length " + shape[0] + " is not a multiple of the "
                    + type.name() + " block size " + type.blockSize);
        }
        if (elements / type.blockSize > Long.MAX_VALUE / type.blockBytes) {
            throw error(dimsAt, "tensor " + quote(name) + " is too large");
        }
        long offsetAt = pos;
        long offset = readU64("data offset of tensor " + quote(name));
        if (offset < 0 || offset % alignment != 0) {
            throw error(offsetAt, "tensor " + quote(name) + " data offset " + Long.toUnsignedString(offset)
                    + " is not a multiple of the alignment " + alignment);
        }
        return new TensorInfo(name, type, shape, offset, type.bytesFor(elements), at);
    }

    /** Every tensor's data must lie inside the data section and not overlap another's. */
    private void checkPlacement(List<TensorInfo> infos, long dataOffset, long dataSize) {
        for (TensorInfo t : infos) {
            if (t.offset > dataSize || t.bytes > dataSize - t.offset) {
                throw error(t.infoOffset, "tensor " + quote(t.name) + " data (" + t.bytes + " bytes at data offset " + t.offset
                        + ") runs past the end of the file (data section holds " + dataSize + " bytes): truncated file?");
            }
        }
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(TensorInfo::offset));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1);
            TensorInfo b = sorted.get(i);
            if (a.offset + a.bytes > b.offset) {
                throw error(dataOffset + b.offset, "tensors " + quote(a.name) + " and " + quote(b.name) + " overlap");
            }
        }
    }

    private long alignmentOf(GgufValue v, long at) {
        if (v == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (v.type() != GgufValueType.UINT32) {
            throw error(at, "general.alignment must be UINT32, not " + v.type());
        }
        long a = v.asLong();
        if (a == 0 || Long.bitCount(a) != 1) {
            throw error(at, "general.alignment " + a + " is not a power of two");
        }
        return a;
    }

    private GgufValue readValue(GgufValueType type, String key, int depth) {
        return switch (type) {
            case UINT8, INT8 -> new GgufValue(type, image.get(ValueLayout.JAVA_BYTE, need(1, key)));
            case UINT16, INT16 -> new GgufValue(type, image.get(U16, need(2, key)));
            case UINT32, INT32 -> new GgufValue(type, image.get(U32, need(4, key)));
            case UINT64, INT64 -> new GgufValue(type, image.get(U64, need(8, key)));
            case FLOAT32 -> new GgufValue(type, image.get(F32, need(4, key)));
            case FLOAT64 -> new GgufValue(type, image.get(F64, need(8, key)));
            case BOOL -> new GgufValue(type, readBool(key));
            case STRING -> new GgufValue(type, readString("value of " + quote(key)));
            case ARRAY -> new GgufValue(type, readArray(key, depth));
        };
    }

    private GgufArray readArray(String key, int depth) {
        long at = pos;
        if (depth >= MAX_ARRAY_NESTING) {
            throw error(at, "metadata " + quote(key) + " nests arrays deeper than " + MAX_ARRAY_NESTING);
        }
        GgufValueType elem = readValueType("array element type of " + quote(key), pos);
        long countAt = pos;
        long count = readU64("array length of " + quote(key));
        checkCount(countAt, count, elem.minBytes, "elements in array " + quote(key));
        if (count > MAX_ARRAY_LENGTH) {
            throw error(countAt, "array " + quote(key) + " has " + count + " elements, more than the " + MAX_ARRAY_LENGTH + " jseek reads");
        }
        int n = (int) count;
        Object values = switch (elem) {
            case UINT8, INT8 -> image.asSlice(need((long) n, key), n).toArray(ValueLayout.JAVA_BYTE);
            case UINT16, INT16 -> image.asSlice(need(2L * n, key), 2L * n).toArray(U16);
            case UINT32, INT32 -> image.asSlice(need(4L * n, key), 4L * n).toArray(U32);
            case UINT64, INT64 -> image.asSlice(need(8L * n, key), 8L * n).toArray(U64);
            case FLOAT32 -> image.asSlice(need(4L * n, key), 4L * n).toArray(F32);
            case FLOAT64 -> image.asSlice(need(8L * n, key), 8L * n).toArray(F64);
            case BOOL -> {
                boolean[] b = new boolean[n];
                for (int i = 0; i < n; i++) {
                    b[i] = readBool(key);
                }
                yield b;
            }
            // Grown as read, so a corrupt count fails at the first missing element, not at allocation.
            case STRING -> {
                List<String> s = new ArrayList<>(Math.min(n, 1 << 16));
                String what = "an element of " + quote(key);
                for (int i = 0; i < n; i++) {
                    s.add(readString(what));
                }
                yield s.toArray(String[]::new);
            }
            case ARRAY -> {
                List<GgufArray> a = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    a.add(readArray(key, depth + 1));
                }
                yield a.toArray(GgufArray[]::new);
            }
        };
        return new GgufArray(elem, values);
    }

    private boolean readBool(String key) {
        long at = need(1, key);
        byte b = image.get(ValueLayout.JAVA_BYTE, at);
        if (b != 0 && b != 1) {
            throw error(at, "metadata " + quote(key) + " has a bool byte " + (b & 0xff) + " (must be 0 or 1)");
        }
        return b == 1;
    }

    private GgufValueType readValueType(String what, long at) {
        int id = readU32(what);
        GgufValueType type = GgufValueType.byId(Integer.toUnsignedLong(id));
        if (type == null) {
            throw error(at, "unknown " + what + " " + Integer.toUnsignedString(id));
        }
        return type;
    }

    private String readString(String what) {
        long at = pos;
        long len = readU64("length of " + what);
        if (len < 0 || len > size - pos) {
            throw error(at, "length " + Long.toUnsignedString(len) + " of " + what + " runs past the end of the file ("
                    + (size - pos) + " bytes left)");
        }
        if (len > Integer.MAX_VALUE - 8) {
            throw error(at, what + " is too long: " + len + " bytes");
        }
        long start = need(len, what);
        byte[] bytes = image.asSlice(start, len).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private int readU32(String what) {
        return image.get(U32, need(4, what));
    }

    private long readU64(String what) {
        return image.get(U64, need(8, what));
    }

    /** Claims {@code n} bytes at the cursor and returns where they start, or fails as truncated. */
    private long need(long n, String what) {
        if (n > size - pos) {
            throw error(pos, "truncated: " + what + " needs " + n + " bytes but the file ends at byte " + size);
        }
        long at = pos;
        pos += n;
        return at;
    }

    /** A declared count must fit in the bytes that remain, given each item's smallest size. */
    private void checkCount(long at, long count, int minBytes, String what) {
        if (count < 0 || count > (size - pos) / minBytes) {
            throw error(at, "count of " + what + " (" + Long.toUnsignedString(count) + ") is larger than the file can hold ("
                    + (size - pos) + " bytes left)");
        }
    }

    /** A key or name from the file, quoted and made printable on one line (it may be corrupt). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < s.length() && shown < 64; i++, shown++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029) {
                sb.append(c > 0xff ? String.format("\\u%04x", (int) c) : String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (shown < s.length()) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }

    private static long alignUp(long x, long alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    private static String magicText(int magic) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < 4; i++) {
            int c = (magic >>> (8 * i)) & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.append('"').toString();
    }

    private GgufFormatException error(long offset, String problem) {
        return new GgufFormatException(source, offset, problem);
    }
}

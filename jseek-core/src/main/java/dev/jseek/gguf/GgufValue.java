package dev.jseek.gguf;

import java.util.Arrays;

/**
 * One metadata value with its GGUF type. Scalars hold a boxed Java value of the same width
 * (unsigned types keep their raw bits: a UINT32 is an Integer, read it with {@link #asLong()});
 * arrays hold a {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {

    public static GgufValue ofString(String s) {
        return new GgufValue(GgufValueType.STRING, s);
    }

    public static GgufValue ofUint32(int v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufValueType.INT32, v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue ofArray(GgufArray a) {
        return new GgufValue(GgufValueType.ARRAY, a);
    }

    /** Any integer type as a long (unsigned types zero-extended). */
    public long asLong() {
        return switch (type) {
            case UINT8 -> Byte.toUnsignedLong((Byte) value);
            case UINT16 -> Short.toUnsignedLong((Short) value);
            case UINT32 -> Integer.toUnsignedLong((Integer) value);
            case INT8, INT16, INT32, INT64, UINT64 -> ((Number) value).longValue();
            default -> throw new IllegalStateException("a " + type + " is not an integer");
        };
    }

    /** Any numeric type as a double. */
    public double asDouble() {
        return switch (type) {
            case FLOAT32, FLOAT64 -> ((Number) value).doubleValue();
            case UINT64 -> {
                long v = (Long) value;
                yield v >= 0 ? v : Math.scalb((double) (v >>> 1), 1);
            }
            default -> asLong();
        };
    }

    @Override
    public String toString() {
        return switch (type) {
            case STRING -> (String) value;
            case UINT8, UINT16, UINT32, UINT64 -> Long.toUnsignedString(asLong());
            default -> String.valueOf(value);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufValue v && type == v.type && value.equals(v.value);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + value.hashCode();
    }

    /** A typed array: a Java primitive array, a String[] or, for nested arrays, a GgufArray[]. */
    public record GgufArray(GgufValueType elementType, Object values) {

        public int length() {
            return java.lang.reflect.Array.getLength(values);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GgufArray a && elementType == a.elementType
                    && Arrays.deepEquals(new Object[] {values}, new Object[] {a.values});
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(new Object[] {values});
        }

        @Override
        public String toString() {
            return Arrays.deepToString(new Object[] {values});
        }
    }
}

package dev.jseek.gguf;

import dev.jseek.gguf.GgufValue.GgufArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The key-value metadata of a GGUF file, in file order, with typed accessors. */
public final class GgufMetadata {

    private final Map<String, GgufValue> values;

    GgufMetadata(LinkedHashMap<String, GgufValue> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** Every key and value, in file order. */
    public Map<String, GgufValue> asMap() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String getString(String key) {
        return get(key).map(v -> expect(key, v, GgufValueType.STRING)).map(String.class::cast)
                .orElseThrow(() -> missing(key));
    }

    public String getString(String key, String fallback) {
        return contains(key) ? getString(key) : fallback;
    }

    /** An integer of any integer type, range-checked to fit an int. */
    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("metadata key '" + key + "' = " + v + " does not fit an int");
        }
        return (int) v;
    }

    public int getInt(String key, int fallback) {
        return contains(key) ? getInt(key) : fallback;
    }

    public long getLong(String key) {
        GgufValue v = get(key).orElseThrow(() -> missing(key));
        if (!v.type().isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        return v.asLong();
    }

    public long getLong(String key, long fallback) {
        return contains(key) ? getLong(key) : fallback;
    }

    /** A number of any numeric type as a float. */
    public float getFloat(String key) {
        GgufValue v = get(key).orElseThrow(() -> missing(key));
        if (!v.type().isInteger() && v.type() != GgufValueType.FLOAT32 && v.type() != GgufValueType.FLOAT64) {
            throw wrongType(key, v, "a number");
        }
        return (float) v.asDouble();
    }

    public float getFloat(String key, float fallback) {
        return contains(key) ? getFloat(key) : fallback;
    }

    public boolean getBool(String key, boolean fallback) {
        return get(key).map(v -> (Boolean) expect(key, v, GgufValueType.BOOL)).orElse(fallback);
    }

    public GgufArray getArray(String key) {
        return (GgufArray) expect(key, get(key).orElseThrow(() -> missing(key)), GgufValueType.ARRAY);
    }

    public String[] getStringArray(String key) {
        GgufArray a = getArray(key);
        if (a.elementType() != GgufValueType.STRING) {
            throw new IllegalArgumentException("metadata key '" + key + "' is an array of " + a.elementType() + ", expected strings");
        }
        return (String[]) a.values();
    }

    /** An array of any integer type as ints (unsigned values zero-extended, range-checked). */
    public int[] getIntArray(String key) {
        GgufArray a = getArray(key);
        int n = a.length();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long v = switch (a.elementType()) {
                case UINT8 -> Byte.toUnsignedLong(((byte[]) a.values())[i]);
                case INT8 -> ((byte[]) a.values())[i];
                case UINT16 -> Short.toUnsignedLong(((short[]) a.values())[i]);
                case INT16 -> ((short[]) a.values())[i];
                case UINT32 -> Integer.toUnsignedLong(((int[]) a.values())[i]);
                case INT32 -> ((int[]) a.values())[i];
                case UINT64, INT64 -> ((long[]) a.values())[i];
                default -> throw new IllegalArgumentException(
                        "metadata key '" + key + "' is an array of " + a.elementType() + ", expected integers");
            };
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("metadata key '" + key + "' element " + i + " = " + v + " does not fit an int");
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** An array of FLOAT32 or FLOAT64 as floats. */
    public float[] getFloatArray(String key) {
        GgufArray a = getArray(key);
        return switch (a.elementType()) {
            case FLOAT32 -> ((float[]) a.values()).clone();
            case FLOAT64 -> {
                double[] d = (double[]) a.values();
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                yield f;
            }
            default -> throw new IllegalArgumentException(
                    "metadata key '" + key + "' is an array of " + a.elementType() + ", expected floats");
        };
    }

    private static Object expect(String key, GgufValue v, GgufValueType type) {
        if (v.type() != type) {
            throw wrongType(key, v, type.name());
        }
        return v.value();
    }

    private static IllegalArgumentException wrongType(String key, GgufValue v, String expected) {
        return new IllegalArgumentException("metadata key '" + key + "' is " + v.type() + ", expected " + expected);
    }

    private static IllegalArgumentException missing(String key) {
        return new IllegalArgumentException("metadata key '" + key + "' is missing");
    }
}

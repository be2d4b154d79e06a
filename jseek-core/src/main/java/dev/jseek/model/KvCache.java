package dev.jseek.model;

/**
 * One sequence's keys and values for every layer and position, F32 or F16. Rows are
 * {@code kvHeads * headSize} wide and indexed by position.
 */
public abstract sealed class KvCache permits KvCache.F32, KvCache.F16 {

    public enum Type { F32, F16 }

    protected final int layers;
    protected final int capacity;
    protected final int keyWidth;
    protected final int valueWidth;

    KvCache(int layers, int capacity, int keyWidth, int valueWidth) {
        this.layers = layers;
        this.capacity = capacity;
        this.keyWidth = keyWidth;
        this.valueWidth = valueWidth;
    }

    public static KvCache create(Type type, int layers, int capacity, int keyWidth, int valueWidth) {
        checkFits(type, layers, capacity, keyWidth, valueWidth);
        return type == Type.F32 ? new F32(layers, capacity, keyWidth, valueWidth) : new F16(layers, capacity, keyWidth, valueWidth);
    }

    /** Fails with a clear message when a cache of this size cannot be made, before anything is allocated. */
    static void checkFits(Type type, int layers, int capacity, int keyWidth, int valueWidth) {
        if ((long) capacity * Math.max(keyWidth, valueWidth) > Integer.MAX_VALUE - 8) {
            throw new ModelException("a context of " + capacity + " positions is too large for this model's cache; use a smaller -c");
        }
        long bytes = (long) layers * capacity * (keyWidth + valueWidth) * (type == Type.F32 ? 4 : 2);
        long free = Runtime.getRuntime().maxMemory() - (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        if (bytes > free) {
            throw new ModelException(String.format("a %s KV cache for %d positions needs %,d MiB but only %,d MiB of heap is free;"
                    + " use a smaller -c or raise -Xmx", type, capacity, bytes >> 20, free >> 20));
        }
    }

    /** Positions the cache holds. */
    public int capacity() {
        return capacity;
    }

    /** Stores the key and value rows of {@code position}. */
    public abstract void store(int layer, int position, float[] key, int keyOffset, float[] value, int valueOffset);

    /** {@code n} elements of the key row of position, from element keyOffset, as floats into {@code out[outOffset..]}. */
    public abstract void key(int layer, int position, int keyOffset, float[] out, int outOffset, int n);

    /** {@code n} elements of the value row of position, from element valueOffset, as floats into {@code out[outOffset..]}. */
    public abstract void value(int layer, int position, int valueOffset, float[] out, int outOffset, int n);

    static final class F32 extends KvCache {
        private final float[][] keys;
        private final float[][] values;

        F32(int layers, int capacity, int keyWidth, int valueWidth) {
            super(layers, capacity, keyWidth, valueWidth);
            keys = new float[layers][capacity * keyWidth];
            values = new float[layers][capacity * valueWidth];
        }

        @Override
        public void store(int layer, int position, float[] key, int keyOffset, float[] value, int valueOffset) {
            System.arraycopy(key, keyOffset, keys[layer], position * keyWidth, keyWidth);
            System.arraycopy(value, valueOffset, values[layer], position * valueWidth, valueWidth);
        }

        @Override
        public void key(int layer, int position, int keyOffset, float[] out, int outOffset, int n) {
            System.arraycopy(keys[layer], position * keyWidth + keyOffset, out, outOffset, n);
        }

        @Override
        public void value(int layer, int position, int valueOffset, float[] out, int outOffset, int n) {
            System.arraycopy(values[layer], position * valueWidth + valueOffset, out, outOffset, n);
        }
    }

    /** Half the memory of F32; values are rounded to the nearest half float on the way in. */
    static final class F16 extends KvCache {
        private final short[][] keys;
        private final short[][] values;

        F16(int layers, int capacity, int keyWidth, int valueWidth) {
            super(layers, capacity, keyWidth, valueWidth);
            keys = new short[layers][capacity * keyWidth];
            values = new short[layers][capacity * valueWidth];
        }

        @Override
        public void store(int layer, int position, float[] key, int keyOffset, float[] value, int valueOffset) {
            short[] k = keys[layer];
            for (int i = 0, at = position * keyWidth; i < keyWidth; i++) {
                k[at + i] = Float.floatToFloat16(key[keyOffset + i]);
            }
            short[] v = values[layer];
            for (int i = 0, at = position * valueWidth; i < valueWidth; i++) {
                v[at + i] = Float.floatToFloat16(value[valueOffset + i]);
            }
        }

        @Override
        public void key(int layer, int position, int keyOffset, float[] out, int outOffset, int n) {
            toFloats(keys[layer], position * keyWidth + keyOffset, out, outOffset, n);
        }

        @Override
        public void value(int layer, int position, int valueOffset, float[] out, int outOffset, int n) {
            toFloats(values[layer], position * valueWidth + valueOffset, out, outOffset, n);
        }

        /** A plain loop: C2 vectorizes it with the CPU's own half float conversion. */
        private static void toFloats(short[] row, int at, float[] out, int outOffset, int n) {
            for (int i = 0; i < n; i++) {
                out[outOffset + i] = Float.float16ToFloat(row[at + i]);
            }
        }
    }
}

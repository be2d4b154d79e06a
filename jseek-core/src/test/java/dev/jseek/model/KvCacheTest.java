package dev.jseek.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KvCacheTest {

    /**
     * A stored row reads back as floats, any slice of it, into any place of the output: exactly
     * the stored floats (F32) or each rounded to the nearest half float (F16), and nothing else
     * of the output is touched.
     */
    @ParameterizedTest
    @EnumSource(KvCache.Type.class)
    void storedRowsReadBackAsFloats(KvCache.Type type) {
        int layers = 2;
        int positions = 3;
        int keyWidth = 576;
        int valueWidth = 128;
        KvCache cache = KvCache.create(type, layers, positions, keyWidth, valueWidth);
        Random random = new Random(11);
        float[][][] keys = new float[layers][positions][keyWidth];
        float[][][] values = new float[layers][positions][valueWidth];
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < positions; t++) {
                for (int i = 0; i < keyWidth; i++) {
                    keys[l][t][i] = (float) (random.nextGaussian() * 10);
                }
                for (int i = 0; i < valueWidth; i++) {
                    values[l][t][i] = (float) (random.nextGaussian() * 10);
                }
                float[] key = new float[keyWidth + 5];
                float[] value = new float[valueWidth + 7];
                System.arraycopy(keys[l][t], 0, key, 5, keyWidth);
                System.arraycopy(values[l][t], 0, value, 7, valueWidth);
                cache.store(l, t, key, 5, value, 7);
            }
        }
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < positions; t++) {
                float[] out = new float[keyWidth + 2];
                cache.key(l, t, 64, out, 1, keyWidth - 64);
                assertEquals(0f, out[0]);
                assertEquals(0f, out[keyWidth - 64 + 1]);
                for (int i = 0; i < keyWidth - 64; i++) {
                    assertEquals(stored(type, keys[l][t][64 + i]), out[1 + i], type + " key " + l + "/" + t + "/" + (64 + i));
                }
                out = new float[valueWidth + 2];
                cache.value(l, t, 0, out, 2, valueWidth);
                for (int i = 0; i < valueWidth; i++) {
                    assertEquals(stored(type, values[l][t][i]), out[2 + i], type + " value " + l + "/" + t + "/" + i);
                }
            }
        }
    }

    private static float stored(KvCache.Type type, float x) {
        return type == KvCache.Type.F32 ? x : Float.float16ToFloat(Float.floatToFloat16(x));
    }
}

package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quantize then dequantize random data: every weight comes back within the error its type
 * allows in its block (half a step, a full step where the reference clamps the extreme value,
 * plus the rounding of the fp16 scale and minimum). For the 256-weight types the block is the
 * super-block: their sub-block scales are rounded against the largest one, so a sub-block of
 * small weights next to large ones keeps only the super-block's resolution. The data's scale
 * changes every 32 weights, so this happens.
 */
class QuantizeRoundTripTest {

    private static final float FP16_EPS = 0x1p-11f;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jseek.tensor.TypeCases#quantizable")
    void errorWithinStep(GgmlType type) {
        Random random = new Random(99 + type.id);
        int n = 8192;
        float[] src = KernelSimdTest.gaussian(random, n, 1);
        // Edge blocks: all zero, constant, one outlier, all negative.
        Arrays.fill(src, 0, 32, 0f);
        Arrays.fill(src, 32, 64, 0.75f);
        src[64 + 5] = 40f;
        for (int i = 96; i < 128; i++) {
            src[i] = -Math.abs(src[i]) - 0.5f;
        }
        MemorySegment q = MemorySegment.ofArray(new byte[Math.toIntExact(type.bytesFor(n))]);
        type.kernel().quantize(src, 0, q, 0, n);
        float[] back = new float[n];
        type.kernel().dequantize(q, 0, back, 0, n);
        int block = Math.max(32, type.blockSize);
        for (int b = 0; b < n; b += block) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            float amax = 0;
            for (int i = b; i < b + block; i++) {
                min = Math.min(min, src[i]);
                max = Math.max(max, src[i]);
                amax = Math.max(amax, Math.abs(src[i]));
            }
            for (int i = b; i < b + block; i++) {
                double bound = bound(type, src[i], min, max, amax);
                double err = Math.abs((double) back[i] - src[i]);
                if (!(err <= bound)) {
                    fail(type + " weight " + i + ": " + src[i] + " came back as " + back[i] + ", error " + err
                            + " > bound " + bound);
                }
            }
        }
    }

    private static double bound(GgmlType type, float v, float min, float max, float amax) {
        double slack = 1e-6 * amax;
        return switch (type) {
            case F32 -> 0;
            case F16 -> Math.max(Math.abs(v) * FP16_EPS, 0x1p-25);
            case BF16 -> Math.abs(v) * 0x1p-8;
            case Q8_0 -> step(amax / 127, 0.5, 127) + slack;
            case Q4_0 -> step(amax / 8, 1, 8) + slack;
            case Q5_0 -> step(amax / 16, 1, 16) + slack;
            case Q4_1 -> step((max - min) / 15, 0.5, 15) + Math.abs(min) * FP16_EPS + slack;
            case Q5_1 -> step((max - min) / 31, 0.5, 31) + Math.abs(min) * FP16_EPS + slack;
            // K-quants: one step of the super-block's grid (its span from min(0, min) to max over
            // the levels, or its largest magnitude over the positive levels).
            case Q2_K -> step(span(min, max) / 3, 1, 3) + Math.abs(min) * FP16_EPS + slack;
            case Q4_K -> step(span(min, max) / 15, 1, 15) + Math.abs(min) * FP16_EPS + slack;
            case Q5_K -> step(span(min, max) / 31, 1, 31) + Math.abs(min) * FP16_EPS + slack;
            case Q3_K -> step(amax / 4, 1, 4) + slack;
            case Q6_K -> step(amax / 32, 1, 32) + slack;
            // The non-linear grid -127..113: one of its widest gaps (24), with amax at 113 or beyond.
            case IQ4_NL, IQ4_XS -> step(amax / 113, 24, 127) + slack;
            default -> throw new IllegalArgumentException("no error bound for " + type);
        };
    }

    /** The range an asymmetric K-quant super-block covers: its minimum is never above 0. */
    private static double span(float min, float max) {
        return (double) max - Math.min(min, 0f);
    }

    /** {@code steps} steps of size d, plus the fp16 rounding of d multiplied by the largest level. */
    private static double step(double d, double steps, int maxLevel) {
        return d * (steps + maxLevel * FP16_EPS);
    }
}

package dev.jseek.model;

import dev.jseek.gguf.GgufModelFiles;
import dev.jseek.tensor.Tensor;
import java.util.Arrays;

/** Finds a model's tensors by their llama.cpp names and checks their shapes before use. */
final class Weights {

    private final GgufModelFiles file;

    Weights(GgufModelFiles file) {
        this.file = file;
    }

    /** The tensor {@code name} with exactly {@code shape} (ne0 first), or a clear error. */
    Tensor required(String name, long... shape) {
        Tensor t = file.tensor(name);
        if (t == null) {
            throw new ModelException(file.source() + ": tensor '" + name + "' is missing");
        }
        return checked(t, shape);
    }

    /** The tensor {@code name} if the file has it (shape checked), else null. */
    Tensor optional(String name, long... shape) {
        Tensor t = file.tensor(name);
        return t == null ? null : checked(t, shape);
    }

    /** A small 1-D tensor (norm weights, biases) expanded to floats once. */
    float[] vector(Tensor t) {
        if (t == null) {
            return null;
        }
        float[] v = new float[Math.toIntExact(t.elementCount())];
        t.dequantizeRow(0, v, 0);
        return v;
    }

    private Tensor checked(Tensor t, long... shape) {
        long[] actual = t.shape();
        // Trailing dimensions of 1 are the same tensor (some converters write them).
        long[] trimmed = trimTrailingOnes(actual);
        if (!Arrays.equals(trimmed, trimTrailingOnes(shape))) {
            throw new ModelException(file.source() + ": tensor '" + t.name() + "' has shape " + Arrays.toString(actual)
                    + ", expected " + Arrays.toString(shape));
        }
        if (!t.type().isSupported()) {
            throw new ModelException(file.source() + ": tensor '" + t.name() + "' has unsupported type " + t.type());
        }
        return t;
    }

    private static long[] trimTrailingOnes(long[] shape) {
        int n = shape.length;
        while (n > 1 && shape[n - 1] == 1) {
            n--;
        }
        return Arrays.copyOf(shape, n);
    }
}

package dev.jseek.tensor;

import dev.jseek.tensor.types.BF16;
import dev.jseek.tensor.types.F16;
import dev.jseek.tensor.types.F32;
import dev.jseek.tensor.types.IQ4_NL;
import dev.jseek.tensor.types.IQ4_XS;
import dev.jseek.tensor.types.Q2_K;
import dev.jseek.tensor.types.Q3_K;
import dev.jseek.tensor.types.Q4_0;
import dev.jseek.tensor.types.Q4_1;
import dev.jseek.tensor.types.Q4_K;
import dev.jseek.tensor.types.Q5_0;
import dev.jseek.tensor.types.Q5_1;
import dev.jseek.tensor.types.Q5_K;
import dev.jseek.tensor.types.Q6_K;
import dev.jseek.tensor.types.Q8_0;

/**
 * The one table of tensor types, numbered as ggml numbers them (ggml's type traits). Every type
 * ggml defines is listed so sizes can be checked and errors can name it; types without a
 * kernel are known but not supported yet.
 */
public enum GgmlType {
    F32(0, 1, 4, new F32()),
    F16(1, 1, 2, new F16()),
    Q4_0(2, 32, 18, new Q4_0()),
    Q4_1(3, 32, 20, new Q4_1()),
    Q5_0(6, 32, 22, new Q5_0()),
    Q5_1(7, 32, 24, new Q5_1()),
    Q8_0(8, 32, 34, new Q8_0()),
    Q8_1(9, 32, 36, null),
    Q2_K(10, 256, 84, new Q2_K()),
    Q3_K(11, 256, 110, new Q3_K()),
    Q4_K(12, 256, 144, new Q4_K()),
    Q5_K(13, 256, 176, new Q5_K()),
    Q6_K(14, 256, 210, new Q6_K()),
    Q8_K(15, 256, 292, null),
    IQ2_XXS(16, 256, 66, null),
    IQ2_XS(17, 256, 74, null),
    IQ3_XXS(18, 256, 98, null),
    IQ1_S(19, 256, 50, null),
    IQ4_NL(20, 32, 18, new IQ4_NL()),
    IQ3_S(21, 256, 110, null),
    IQ2_S(22, 256, 82, null),
    IQ4_XS(23, 256, 136, new IQ4_XS()),
    I8(24, 1, 1, null),
    I16(25, 1, 2, null),
    I32(26, 1, 4, null),
    I64(27, 1, 8, null),
    F64(28, 1, 8, null),
    IQ1_M(29, 256, 56, null),
    BF16(30, 1, 2, new BF16()),
    TQ1_0(34, 256, 54, null),
    TQ2_0(35, 256, 66, null),
    MXFP4(39, 32, 17, null);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    public final int id;
    /** Number of weights in one block. */
    public final int blockSize;
    /** Bytes one block takes in the file. */
    public final int blockBytes;
    private final TypeKernel kernel;

    GgmlType(int id, int blockSize, int blockBytes, TypeKernel kernel) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.kernel = kernel;
    }

    /** The type with ggml's number {@code id}, or null when ggml defines none. */
    public static GgmlType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    public boolean isSupported() {
        return kernel != null;
    }

    /** The kernel of a supported type. */
    public TypeKernel kernel() {
        if (kernel == null) {
            throw new UnsupportedOperationException("tensor type " + id + " (" + name() + ") is not supported yet");
        }
        return kernel;
    }

    /** Bytes taken by {@code n} weights; {@code n} must be a multiple of the block size. */
    public long bytesFor(long n) {
        return n / blockSize * blockBytes;
    }
}

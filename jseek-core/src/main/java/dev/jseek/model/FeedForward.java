package dev.jseek.model;

/** The feed-forward half of a transformer block. */
interface FeedForward {

    /** {@code out[batch][embedding] = ffn(xn[batch][embedding])}. */
    void forward(float[] xn, int batch, float[] out);
}

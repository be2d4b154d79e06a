package dev.jseek.model;

/** The attention half of a transformer block: reads normalised activations, writes its output. */
interface Attention {

    /**
     * Cached value rows an attention turns into floats at a time, to add them up into its heads'
     * outputs together: a tile of a 128-wide head is 8 KB, of a 512-wide latent 32 KB, inside L1.
     */
    int VALUE_TILE = 16;

    /**
     * Attends {@code batch} tokens at positions {@code startPos..} to everything before them,
     * storing their keys and values in {@code cache}.
     *
     * @param xn  [batch][embedding] normalised inputs
     * @param out [batch][embedding] the block's contribution to the residual stream
     */
    void forward(int layer, float[] xn, int batch, int startPos, KvCache cache, float[] out);
}

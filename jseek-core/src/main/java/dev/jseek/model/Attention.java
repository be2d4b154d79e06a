package dev.jseek.model;

/** The attention half of a transformer block: reads normalised activations, writes its output. */
interface Attention {

    /**
     * Cached rows an attention turns into floats at a time, for the heads that share them; the
     * values' weighted sums stay in registers across a tile. A tile of a 128-wide head is 8 KB,
     * of a 576-wide latent row 36 KB.
     */
    int TILE = 16;

    /**
     * Attends {@code batch} tokens at positions {@code startPos..} to everything before them,
     * storing their keys and values in {@code cache}.
     *
     * @param xn  [batch][embedding] normalised inputs
     * @param out [batch][embedding] the block's contribution to the residual stream
     */
    void forward(int layer, float[] xn, int batch, int startPos, KvCache cache, float[] out);
}

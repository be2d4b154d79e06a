package dev.jseek.model;

/** The attention half of a transformer block: reads normalised activations, writes its output. */
interface Attention {

    /**
     * Attends {@code batch} tokens at positions {@code startPos..} to everything before them,
     * storing their keys and values in {@code cache}.
     *
     * @param xn  [batch][embedding] normalised inputs
     * @param out [batch][embedding] the block's contribution to the residual stream
     */
    void forward(int layer, float[] xn, int batch, int startPos, KvCache cache, float[] out);
}

package dev.jseek.model;

import dev.jseek.gguf.ModelMetadata;

/** The hyper-parameters of a dense transformer, read once from the file's metadata. */
public record ModelConfig(
        Architecture architecture,
        int embeddingLength,
        int layers,
        int heads,
        int kvHeads,
        int headSize,
        int valueHeadSize,
        int feedForwardLength,
        int vocabSize,
        int contextLength,
        float rmsEps) {

    public static ModelConfig from(ModelMetadata md) {
        Architecture arch = Architecture.forName(md.architecture());
        int[] heads = md.headCount();
        int[] kvHeads = md.headCountKv();
        int[] ff = md.feedForwardLength();
        for (int l = 1; l < md.blockCount(); l++) {
            if (heads[l] != heads[0] || kvHeads[l] != kvHeads[0] || ff[l] != ff[0]) {
                throw new ModelException("layers with different head counts or feed-forward sizes are not supported");
            }
        }
        if (heads.length == 0 || heads[0] <= 0 || kvHeads[0] <= 0 || heads[0] % kvHeads[0] != 0) {
            throw new ModelException("head counts " + (heads.length == 0 ? "missing" : heads[0] + " / " + kvHeads[0])
                    + " are not usable: the query heads must be a positive multiple of the key/value heads");
        }
        return new ModelConfig(arch, md.embeddingLength(), md.blockCount(), heads[0], kvHeads[0], md.keyLength(),
                md.valueLength(), ff[0], md.vocabSize(), md.contextLength(), md.rmsNormEpsilon());
    }
}

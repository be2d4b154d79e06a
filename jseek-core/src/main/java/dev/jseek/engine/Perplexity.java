package dev.jseek.engine;

import dev.jseek.model.KvCache;
import dev.jseek.model.Model;

/**
 * Perplexity as llama.cpp's {@code llama-perplexity} defines it, so figures compare one to one:
 * the text is cut into chunks of {@code n} tokens, each evaluated from an empty cache (its first
 * token replaced by BOS when the vocabulary adds one), and only the second half of each chunk is
 * scored: positions n/2 .. n-2 predicting the token after them.
 */
public final class Perplexity {

    public record Result(double perplexity, int tokensScored, int chunks) {
    }

    private Perplexity() {
    }

    /**
     * @param ids   the whole tokenized text (with a leading BOS when the vocabulary adds one)
     * @param bosId the BOS id to put at each chunk start, or -1 when the vocabulary adds none
     */
    public static Result compute(Model model, int[] ids, int chunkSize, int bosId, KvCache.Type kvType) {
        if (chunkSize < 4 || chunkSize > model.contextCapacity()) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " must be between 4 and the context size "
                    + model.contextCapacity());
        }
        int chunks = ids.length / chunkSize;
        if (chunks == 0) {
            throw new IllegalArgumentException("the text has " + ids.length + " tokens, fewer than one chunk of " + chunkSize);
        }
        int vocab = model.config().vocabSize();
        float[] logits = new float[chunkSize * vocab];
        int[] input = new int[chunkSize];
        KvCache cache = model.newCache(kvType);
        double nll = 0;
        int scored = 0;
        for (int c = 0; c < chunks; c++) {
            System.arraycopy(ids, c * chunkSize, input, 0, chunkSize);
            if (bosId >= 0) {
                input[0] = bosId;
            }
            model.forward(input, 0, chunkSize, 0, cache, logits, true);
            for (int j = chunkSize / 2; j < chunkSize - 1; j++) {
                nll -= logSoftmax(logits, j * vocab, vocab, ids[c * chunkSize + j + 1]);
                scored++;
            }
        }
        return new Result(Math.exp(nll / scored), scored, chunks);
    }

    /** log softmax(x)[target] over {@code x[offset..offset+n)}, in double. */
    static double logSoftmax(float[] x, int offset, int n, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[offset + i] - max);
        }
        return x[offset + target] - max - Math.log(sum);
    }
}

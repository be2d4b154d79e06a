package dev.jseek.sample;

/**
 * The tokens still in the running while a sampler chain narrows them down: ids with their
 * logits (later probabilities), the first {@code size} entries live. Sized once per vocabulary.
 */
public final class Candidates {

    final int[] ids;
    final float[] logits;
    int size;
    /** Whether entries are in descending logit order. */
    boolean sorted;
    /** Whether {@link #logits} currently hold normalised probabilities. */
    boolean probabilities;

    public Candidates(int vocabSize) {
        ids = new int[vocabSize];
        logits = new float[vocabSize];
    }

    /** Starts a step from a full row of logits. */
    public void reset(float[] row) {
        if (row.length < ids.length) {
            throw new IllegalArgumentException("logits row has " + row.length + " entries, the vocabulary " + ids.length);
        }
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
            logits[i] = row[i];
        }
        size = ids.length;
        sorted = false;
        probabilities = false;
    }

    public int size() {
        return size;
    }

    public int id(int i) {
        return ids[i];
    }

    public float value(int i) {
        return logits[i];
    }

    /** Sorts the live entries by descending logit (ties: lower id first, so results are stable). */
    void sort() {
        if (sorted) {
            return;
        }
        sortRange(0, size - 1);
        sorted = true;
    }

    /** Moves the {@code k} largest entries to the front in order, without sorting the rest. */
    void keepTop(int k) {
        if (k >= size) {
            return;
        }
        if (!sorted) {
            select(k);
            size = k;
            sortRange(0, k - 1);
            sorted = true;
        } else {
            size = k;
        }
    }

    /** Turns logits into probabilities (softmax over the live entries), in place. */
    void softmax() {
        if (probabilities) {
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            float e = (float) Math.exp(logits[i] - max);
            logits[i] = e;
            sum += e;
        }
        for (int i = 0; i < size; i++) {
            logits[i] = (float) (logits[i] / sum);
        }
        probabilities = true;
    }

    private boolean before(int a, int b) {
        return logits[a] > logits[b] || (logits[a] == logits[b] && ids[a] < ids[b]);
    }

    private void swap(int a, int b) {
        int id = ids[a];
        ids[a] = ids[b];
        ids[b] = id;
        float v = logits[a];
        logits[a] = logits[b];
        logits[b] = v;
    }

    /** Quickselect: the k best entries end up in [0, k). */
    private void select(int k) {
        int lo = 0;
        int hi = size - 1;
        while (lo < hi) {
            int p = partition(lo, hi);
            if (p == k) {
                return;
            } else if (p < k) {
                lo = p + 1;
            } else {
                hi = p - 1;
            }
        }
    }

    private int partition(int lo, int hi) {
        swap((lo + hi) >>> 1, hi);
        int store = lo;
        for (int i = lo; i < hi; i++) {
            if (before(i, hi)) {
                swap(i, store++);
            }
        }
        swap(store, hi);
        return store;
    }

    private void sortRange(int lo, int hi) {
        while (lo < hi) {
            if (hi - lo < 16) {
                for (int i = lo + 1; i <= hi; i++) {
                    for (int j = i; j > lo && before(j, j - 1); j--) {
                        swap(j, j - 1);
                    }
                }
                return;
            }
            int p = partition(lo, hi);
            if (p - lo < hi - p) {
                sortRange(lo, p - 1);
                lo = p + 1;
            } else {
                sortRange(p + 1, hi);
                hi = p - 1;
            }
        }
    }
}

package dev.jseek.tokenizer;

/**
 * The BPE merge table: for a pair of adjacent token ids, the rank of their merge (its position
 * in {@code tokenizer.ggml.merges}, lower merges first) and the id it produces. Open addressing
 * over primitive arrays, since it is probed once per adjacent pair while merging.
 */
final class PairRanks {

    private final long[] keys;
    private final int[] ranks;
    private final int mask;
    private int[] mergedIds = new int[16];

    PairRanks(int expectedPairs) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedPairs) * 2 - 1) << 1;
        keys = new long[capacity];
        ranks = new int[capacity];
        java.util.Arrays.fill(ranks, -1);
        mask = capacity - 1;
    }

    /** Adds the merge of {@code left}, {@code right} into {@code merged} with {@code rank}; a pair already present keeps its rank. */
    void put(int left, int right, int rank, int merged) {
        long key = key(left, right);
        int slot = slot(key);
        while (ranks[slot] >= 0) {
            if (keys[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        ranks[slot] = rank;
        if (rank >= mergedIds.length) {
            mergedIds = java.util.Arrays.copyOf(mergedIds, Math.max(rank + 1, mergedIds.length * 2));
        }
        mergedIds[rank] = merged;
    }

    /** The rank of merging {@code left} with {@code right}, or -1 when they do not merge. */
    int rank(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        int rank;
        while ((rank = ranks[slot]) >= 0) {
            if (keys[slot] == key) {
                return rank;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** The token a merge of this rank produces. */
    int merged(int rank) {
        return mergedIds[rank];
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }
}

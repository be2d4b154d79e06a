package dev.jseek.tokenizer;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.Map;

/**
 * GPT-2 style byte-level BPE: the pre-tokenizer cuts text into words, each word's UTF-8 bytes
 * start as one token each, and adjacent tokens merge lowest rank first (leftmost among equal
 * ranks) until no pair merges, as llama.cpp's {@code llm_tokenizer_bpe_session} does. Words
 * repeat, so their ids are cached.
 */
final class ByteLevelBpe {

    /** Slots of the word cache (a power of two). */
    private static final int CACHE_SLOTS = 1 << 16;

    private final PreTokenizer preTokenizer;
    private final boolean normalizeNfc;
    private final PairRanks ranks;
    private final int[] byteTokens = new int[256];
    private final Map<String, Integer> ids;
    /**
     * Direct-mapped word cache: a word's slot holds the last word hashed there. Entries are
     * immutable and published whole, so threads may share it without locks.
     */
    private final CachedWord[] cache = new CachedWord[CACHE_SLOTS];

    private record CachedWord(int[] codePoints, int[] ids) {
    }

    ByteLevelBpe(Vocabulary vocab, boolean normalizeNfc) {
        this.preTokenizer = vocab.preTokenizer();
        this.normalizeNfc = normalizeNfc;
        this.ids = vocab.ids();
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = vocab.id(String.valueOf(ByteLevel.charOf(b)));
        }
        String[] merges = vocab.merges();
        ranks = new PairRanks(merges.length);
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                continue;
            }
            // A merge whose parts or result are not tokens could never be produced or looked up by id;
            // libllama would still merge the strings and then emit nothing for an unknown result.
            int left = vocab.id(merge.substring(0, space));
            int right = vocab.id(merge.substring(space + 1));
            int merged = vocab.id(merge.substring(0, space) + merge.substring(space + 1));
            if (left >= 0 && right >= 0 && merged >= 0) {
                ranks.put(left, right, rank, merged);
            }
        }
    }

    /** Appends the ids of {@code text} (no special tokens in it) to {@code out}. */
    void encode(String text, IdBuffer out) {
        if (normalizeNfc && !Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
        }
        Session session = new Session(out);
        session.text.load(text);
        preTokenizer.split(session.text, session);
    }

    /** The state of one {@link #encode} call: the text and buffers reused from word to word. */
    private final class Session implements PreTokenizer.WordSink {

        final ScanText text = new ScanText();
        final IdBuffer out;
        byte[] bytes = new byte[64];
        int[] symbols = new int[64];
        int[] next = new int[64];
        int[] prev = new int[64];
        long[] heap = new long[64];
        int heapSize;

        Session(IdBuffer out) {
            this.out = out;
        }

        @Override
        public void word(int from, int to) {
            int[] cps = text.codePoints;
            if (to - from == 1 && cps[from] < 0x80) {
                addIfKnown(byteTokens[cps[from]]);
                return;
            }
            int hash = 0;
            for (int i = from; i < to; i++) {
                hash = 31 * hash + cps[i];
            }
            int slot = (hash ^ (hash >>> 16)) & (CACHE_SLOTS - 1);
            CachedWord cached = cache[slot];
            if (cached == null || !Arrays.equals(cached.codePoints, 0, cached.codePoints.length, cps, from, to)) {
                cached = new CachedWord(Arrays.copyOfRange(cps, from, to), merge(toUtf8(cps, from, to)));
                cache[slot] = cached;
            }
            out.addAll(cached.ids);
        }

        private void addIfKnown(int id) {
            if (id >= 0) {
                out.add(id);
            }
        }

        private int toUtf8(int[] cps, int from, int to) {
            if (bytes.length < (to - from) * 4) {
                bytes = new byte[(to - from) * 4];
            }
            int n = 0;
            for (int i = from; i < to; i++) {
                int cp = cps[i];
                if (cp < 0x80) {
                    bytes[n++] = (byte) cp;
                } else if (cp < 0x800) {
                    bytes[n++] = (byte) (0xC0 | (cp >> 6));
                    bytes[n++] = (byte) (0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    bytes[n++] = (byte) (0xE0 | (cp >> 12));
                    bytes[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    bytes[n++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    bytes[n++] = (byte) (0xF0 | (cp >> 18));
                    bytes[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    bytes[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    bytes[n++] = (byte) (0x80 | (cp & 0x3F));
                }
            }
            return n;
        }

        /** The ids of the word in {@code bytes[0..n)}. */
        private int[] merge(int n) {
            if (preTokenizer.ignoreMerges()) {
                Integer whole = ids.get(ByteLevel.encode(bytes, n));
                if (whole != null) {
                    return new int[] {whole};
                }
            }
            if (symbols.length < n) {
                symbols = new int[n];
                next = new int[n];
                prev = new int[n];
            }
            for (int i = 0; i < n; i++) {
                symbols[i] = byteTokens[bytes[i] & 0xFF];
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
            }
            heapSize = 0;
            for (int i = 0; i + 1 < n; i++) {
                pushPair(i);
            }
            int alive = n;
            while (heapSize > 0) {
                long top = popMin();
                int rank = (int) (top >>> 32);
                int left = (int) top;
                int right = next[left];
                // Stale entries: the left symbol was absorbed, or a neighbour changed since the push.
                if (symbols[left] < -1 || right < 0 || ranks.rank(symbols[left], symbols[right]) != rank) {
                    continue;
                }
                symbols[left] = ranks.merged(rank);
                symbols[right] = -2;
                next[left] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = left;
                }
                alive--;
                if (prev[left] >= 0) {
                    pushPair(prev[left]);
                }
                pushPair(left);
            }
            int[] result = new int[alive];
            int count = 0;
            for (int i = 0; i >= 0; i = next[i]) {
                // A byte without a token (a malformed vocabulary) is dropped, as libllama drops it.
                if (symbols[i] >= 0) {
                    result[count++] = symbols[i];
                }
            }
            return count == alive ? result : Arrays.copyOf(result, count);
        }

        /** Queues the merge of symbol {@code left} with its right neighbour, if they merge. */
        private void pushPair(int left) {
            int right = next[left];
            if (right < 0 || symbols[left] < 0 || symbols[right] < 0) {
                return;
            }
            int rank = ranks.rank(symbols[left], symbols[right]);
            if (rank < 0) {
                return;
            }
            if (heapSize == heap.length) {
                heap = Arrays.copyOf(heap, heapSize * 2);
            }
            // Rank in the high half, position in the low half: the minimum is the lowest rank, leftmost.
            long entry = ((long) rank << 32) | left;
            int i = heapSize++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heap[parent] <= entry) {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = entry;
        }

        private long popMin() {
            long min = heap[0];
            long last = heap[--heapSize];
            int i = 0;
            int half = heapSize >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < heapSize && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (heap[child] >= last) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
            return min;
        }
    }
}

package dev.jseek.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece BPE as llama.cpp's {@code llm_tokenizer_spm_session} runs it: spaces become
 * {@code ▁}, every character starts as a symbol, and the adjacent pair whose concatenation is the
 * highest-scoring token merges first (leftmost among equal scores). A symbol that is no token at
 * the end is written as its UTF-8 bytes, {@code <0xNN>} tokens.
 */
final class SentencePieceBpe {

    private static final char SPACE_MARK = '\u2581';

    private final Vocabulary vocab;
    private final Map<String, Integer> ids;
    private final int[] byteTokens = new int[256];

    SentencePieceBpe(Vocabulary vocab) {
        this.vocab = vocab;
        this.ids = vocab.ids();
        for (int b = 0; b < 256; b++) {
            int id = vocab.id(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) {
                id = vocab.id(String.valueOf((char) b));
            }
            byteTokens[b] = id;
        }
    }

    private record Bigram(int left, int right, float score, int length) {
    }

    /** Appends the ids of {@code text} to {@code out}, with a leading space when {@code prefixSpace}. */
    void encode(String text, boolean prefixSpace, IdBuffer out) {
        String s = ((prefixSpace ? " " : "") + text).replace(' ', SPACE_MARK);
        int n = s.codePointCount(0, s.length());
        // Symbols as char ranges of s: start, length, and the linked list of survivors.
        int[] start = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, pos = 0; i < n; i++) {
            start[i] = pos;
            length[i] = Character.charCount(s.codePointAt(pos));
            pos += length[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            offer(queue, s, start, length, i - 1, i);
        }
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int left = bigram.left;
            int right = bigram.right;
            if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != bigram.length) {
                continue;
            }
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(queue, s, start, length, prev[left], left);
            }
            if (next[left] >= 0) {
                offer(queue, s, start, length, left, next[left]);
            }
        }
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            String piece = s.substring(start[i], start[i] + length[i]);
            Integer id = ids.get(piece);
            if (id != null) {
                out.add(id);
            } else {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteToken(b));
                }
            }
        }
    }

    private void offer(PriorityQueue<Bigram> queue, String s, int[] start, int[] length, int left, int right) {
        int len = length[left] + length[right];
        Integer id = ids.get(s.substring(start[left], start[left] + len));
        if (id != null) {
            queue.add(new Bigram(left, right, vocab.score(id), len));
        }
    }

    /** The byte's {@code <0xNN>} token; the unknown token in a vocabulary without byte fallback. */
    private int byteToken(byte b) {
        int id = byteTokens[b & 0xFF];
        if (id < 0) {
            id = vocab.unknown();
        }
        if (id < 0) {
            throw new TokenizerException(String.format("no token for byte 0x%02X and no unknown token in this vocabulary", b & 0xFF));
        }
        return id;
    }
}

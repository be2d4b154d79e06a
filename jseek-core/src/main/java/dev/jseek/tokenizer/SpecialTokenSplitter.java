package dev.jseek.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * Finds the special tokens written in a text, with the result of llama.cpp's
 * {@code tokenizer_st_partition}: tokens are tried longest first (by UTF-8 length), each taking
 * its leftmost non-overlapping occurrences in the text not yet claimed by a longer token.
 * Control and unknown tokens count only when special tokens are parsed; user-defined tokens
 * always do (as Hugging Face treats non-special added tokens).
 *
 * <p>Rather than scanning the text once per special token, a trie over the token texts finds
 * every occurrence in one pass; the claims are then made in libllama's order.
 */
final class SpecialTokenSplitter {

    /** Receives the text between special tokens and the special tokens, in order. */
    interface Sink {
        void text(String text);

        void special(int id);
    }

    private record Occurrence(int start, int end, int priority) {
    }

    /** A trie node: children by next char, sorted; the token ending here (priority order index) or -1. */
    private static final class Node {
        char[] chars = new char[0];
        Node[] children = new Node[0];
        int priority = -1;

        Node child(char c) {
            int i = Arrays.binarySearch(chars, c);
            return i >= 0 ? children[i] : null;
        }

        Node childOrNew(char c) {
            int i = Arrays.binarySearch(chars, c);
            if (i >= 0) {
                return children[i];
            }
            int at = -i - 1;
            chars = insert(chars, at, c);
            Node[] grown = Arrays.copyOf(children, children.length + 1);
            System.arraycopy(children, at, grown, at + 1, children.length - at);
            grown[at] = new Node();
            children = grown;
            return grown[at];
        }

        private static char[] insert(char[] a, int at, char c) {
            char[] grown = Arrays.copyOf(a, a.length + 1);
            System.arraycopy(a, at, grown, at + 1, a.length - at);
            grown[at] = c;
            return grown;
        }
    }

    private final int[] tokenByPriority;
    private final Node root = new Node();
    /** The chars special tokens start with, as a bit set over the BMP: most text positions start none. */
    private final long[] firstChars = new long[1 << 10];

    /** @param parseSpecial whether control and unknown tokens are recognised too */
    SpecialTokenSplitter(Vocabulary vocab, boolean parseSpecial) {
        int mask = Vocabulary.USER_DEFINED | (parseSpecial ? Vocabulary.CONTROL | Vocabulary.UNKNOWN : 0);
        int exclude = parseSpecial ? 0 : Vocabulary.CONTROL | Vocabulary.UNKNOWN;
        List<Integer> candidates = new ArrayList<>();
        for (int id = 0; id < vocab.size(); id++) {
            int attributes = vocab.attributes(id);
            if ((attributes & mask) != 0 && (attributes & exclude) == 0) {
                candidates.add(id);
            }
        }
        // Longest UTF-8 text first; libllama's sort leaves ties unordered, here the lower id goes first.
        candidates.sort(Comparator.comparingInt((Integer id) -> -vocab.token(id).getBytes(StandardCharsets.UTF_8).length)
                .thenComparingInt(id -> id));
        tokenByPriority = candidates.stream().mapToInt(Integer::intValue).toArray();
        for (int p = 0; p < tokenByPriority.length; p++) {
            String text = vocab.token(tokenByPriority[p]);
            Node node = root;
            for (int i = 0; i < text.length(); i++) {
                node = node.childOrNew(text.charAt(i));
            }
            node.priority = p;
            firstChars[text.charAt(0) >>> 6] |= 1L << text.charAt(0);
        }
    }

    /** Reports the pieces of {@code text} to {@code sink}: plain text and special tokens, in order. */
    void split(String text, Sink sink) {
        if (tokenByPriority.length == 0) {
            if (!text.isEmpty()) {
                sink.text(text);
            }
            return;
        }
        List<Occurrence> found = new ArrayList<>();
        for (int start = 0; start < text.length(); start++) {
            char first = text.charAt(start);
            if ((firstChars[first >>> 6] & (1L << first)) == 0) {
                continue;
            }
            Node node = root.child(first);
            for (int i = start + 1; node != null; i++) {
                if (node.priority >= 0) {
                    found.add(new Occurrence(start, i, node.priority));
                }
                node = i < text.length() ? node.child(text.charAt(i)) : null;
            }
        }
        if (found.isEmpty()) {
            if (!text.isEmpty()) {
                sink.text(text);
            }
            return;
        }
        found.sort(Comparator.comparingInt(Occurrence::priority).thenComparingInt(Occurrence::start));
        BitSet claimed = new BitSet(text.length());
        List<Occurrence> taken = new ArrayList<>();
        int lastPriority = -1;
        int lastEnd = 0;
        for (Occurrence o : found) {
            if (o.priority != lastPriority) {
                lastPriority = o.priority;
                lastEnd = 0;
            }
            int firstClaimed = claimed.nextSetBit(o.start);
            if (o.start >= lastEnd && (firstClaimed < 0 || firstClaimed >= o.end)) {
                claimed.set(o.start, o.end);
                taken.add(o);
                lastEnd = o.end;
            }
        }
        taken.sort(Comparator.comparingInt(Occurrence::start));
        int pos = 0;
        for (Occurrence o : taken) {
            if (o.start > pos) {
                sink.text(text.substring(pos, o.start));
            }
            sink.special(tokenByPriority[o.priority]);
            pos = o.end;
        }
        if (pos < text.length()) {
            sink.text(text.substring(pos));
        }
    }
}

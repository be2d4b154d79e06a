package dev.jseek.tokenizer;

/**
 * A regex character class: Unicode classes ({@link CharClass} flags) and explicit code point
 * ranges. Explicit ranges never match non-ASCII whitespace: llama.cpp rewrites that to a vertical
 * tab before running such patterns, so U+3000 is not in {@code [ࠀ-一]} there.
 *
 * @param classMask {@link CharClass} flags that belong to the set
 * @param ranges sorted, disjoint inclusive pairs {@code lo0, hi0, lo1, hi1, ...}
 */
record CharSet(int classMask, int... ranges) {

    static CharSet of(int classMask) {
        return new CharSet(classMask);
    }

    static CharSet ranges(int... ranges) {
        return new CharSet(0, ranges);
    }

    boolean contains(int cp, byte flags) {
        if ((flags & classMask) != 0) {
            return true;
        }
        if (ranges.length == 0 || cp < ranges[0] || cp > ranges[ranges.length - 1]
                || (cp >= 0x80 && (flags & CharClass.WHITESPACE) != 0)) {
            return false;
        }
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (cp > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    boolean contains(ScanText t, int pos, int end) {
        return pos < end && contains(t.codePoints[pos], t.flags[pos]);
    }

    int runEnd(ScanText t, int pos, int end) {
        while (pos < end && contains(t.codePoints[pos], t.flags[pos])) {
            pos++;
        }
        return pos;
    }
}

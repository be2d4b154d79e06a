package dev.jseek.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Python's {@code str} operations that templates use, on code points rather than UTF-16 units:
 * whitespace as {@code str.isspace} defines it, {@code strip} with and without a character set,
 * {@code split} on runs of whitespace or on a separator, and the case mappings.
 */
final class PyStrings {

    private PyStrings() {
    }

    /** Python's {@code str.isspace} for one character (wider than Java's: it includes NBSP, U+0085, U+3000...). */
    static boolean isSpace(int cp) {
        return switch (cp) {
            case '\t', '\n', 0x0b, '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, ' ', 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f,
                 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200a;
        };
    }

    private static boolean stripped(int cp, String chars) {
        return chars == null ? isSpace(cp) : chars.codePoints().anyMatch(c -> c == cp);
    }

    static String strip(String s, String chars) {
        return rstrip(lstrip(s, chars), chars);
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && stripped(s.codePointAt(i), chars)) {
            i += Character.charCount(s.codePointAt(i));
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0 && stripped(s.codePointBefore(end), chars)) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(0, end);
    }

    /** {@code s.split(sep, maxsplit)}; a null separator splits on runs of whitespace and drops empty parts. */
    static List<Object> split(String s, String sep, long maxsplit) {
        long budget = maxsplit < 0 ? Long.MAX_VALUE : maxsplit;
        List<Object> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (budget-- > 0) {
                while (i < n && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i == n) {
                    break;
                }
                int start = i;
                while (i < n && !isSpace(s.charAt(i))) {
                    i++;
                }
                parts.add(s.substring(start, i));
            }
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            if (i < n) {
                parts.add(s.substring(i));
            }
            return parts;
        }
        checkSeparator(sep);
        int start = 0;
        for (int at = s.indexOf(sep); at >= 0 && budget-- > 0; at = s.indexOf(sep, start)) {
            parts.add(s.substring(start, at));
            start = at + sep.length();
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** {@code s.rsplit(sep, maxsplit)}: as split, but the budget of splits is spent from the right. */
    static List<Object> rsplit(String s, String sep, long maxsplit) {
        if (maxsplit < 0) {
            return split(s, sep, maxsplit);
        }
        long budget = maxsplit;
        List<Object> parts = new ArrayList<>();
        if (sep == null) {
            int i = s.length();
            while (budget-- > 0) {
                while (i > 0 && isSpace(s.charAt(i - 1))) {
                    i--;
                }
                if (i == 0) {
                    break;
                }
                int end = i;
                while (i > 0 && !isSpace(s.charAt(i - 1))) {
                    i--;
                }
                parts.add(s.substring(i, end));
            }
            while (i > 0 && isSpace(s.charAt(i - 1))) {
                i--;
            }
            if (i > 0) {
                parts.add(s.substring(0, i));
            }
        } else {
            checkSeparator(sep);
            int end = s.length();
            for (int at = s.lastIndexOf(sep, end - sep.length()); at >= 0 && budget-- > 0;
                    at = s.lastIndexOf(sep, end - sep.length())) {
                parts.add(s.substring(at + sep.length(), end));
                end = at;
            }
            parts.add(s.substring(0, end));
        }
        Collections.reverse(parts);
        return parts;
    }

    private static void checkSeparator(String sep) {
        if (sep.isEmpty()) {
            throw new TemplateException(TemplateException.Kind.VALUE, "empty separator");
        }
    }

    /** {@code s.replace(old, new, count)}; an empty {@code old} inserts between code points, as Python does. */
    static String replace(String s, String old, String replacement, long count) {
        long budget = count < 0 ? Long.MAX_VALUE : count;
        StringBuilder sb = new StringBuilder();
        if (old.isEmpty()) {
            int i = 0;
            while (true) {
                if (budget-- > 0) {
                    sb.append(replacement);
                } else {
                    return sb.append(s, i, s.length()).toString();
                }
                if (i >= s.length()) {
                    return sb.toString();
                }
                int next = i + Character.charCount(s.codePointAt(i));
                sb.append(s, i, next);
                i = next;
            }
        }
        int start = 0;
        for (int at = s.indexOf(old); at >= 0 && budget-- > 0; at = s.indexOf(old, start)) {
            sb.append(s, start, at).append(replacement);
            start = at + old.length();
        }
        return sb.append(s, start, s.length()).toString();
    }

    /** {@code str.title()}: a letter is title-cased after an uncased character and lower-cased after a cased one. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            sb.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
            previousCased = isCased(cp);
        }
        return sb.toString();
    }

    /** {@code str.capitalize()}: the first character title-cased, the rest lower-cased. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                .append(s.substring(Character.charCount(first)).toLowerCase(java.util.Locale.ROOT)).toString();
    }

    private static boolean isCased(int cp) {
        return Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
    }

    static String upper(String s) {
        return s.toUpperCase(java.util.Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }
}

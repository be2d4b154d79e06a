package dev.jseek.template;

import dev.jseek.template.Token.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits a template into tokens the way jinja2's lexer does under transformers' settings:
 * {@code trim_blocks} (the newline after a block or comment tag is dropped), {@code lstrip_blocks}
 * (spaces and tabs before a block or comment tag on its own line are dropped), {@code -} and
 * {@code +} whitespace control on tags, newlines normalized to {@code \n} and one trailing newline
 * of the source dropped.
 */
final class Lexer {

    private static final List<String> OPERATORS = List.of(
            "//", "**", "==", "!=", ">=", "<=",
            "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";");

    private final String src;
    private final int[] lineStarts;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    /** Whether the last consumed text ended a line, so that the next block tag starts one (for lstrip_blocks). */
    private boolean lineStarting = true;

    private Lexer(String source) {
        String normalized = source.replace("\r\n", "\n").replace('\r', '\n');
        this.src = normalized.endsWith("\n") ? normalized.substring(0, normalized.length() - 1) : normalized;
        this.lineStarts = lineStartsOf(src);
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return lexer.tokens;
    }

    private static int[] lineStartsOf(String s) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private int lineAt(int offset) {
        int lo = 0;
        int hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo + 1;
    }

    private void run() {
        while (pos < src.length()) {
            int start = nextTagStart(pos);
            if (start < 0) {
                addData(src.substring(pos), pos);
                break;
            }
            char kind = src.charAt(start + 1);
            char sign = start + 2 < src.length() ? src.charAt(start + 2) : 0;
            String text = src.substring(pos, start);
            if (sign == '-') {
                text = PyStrings.rstrip(text, null);
            } else if (sign != '+' && kind != '{') {
                text = lstripBlock(text);
            }
            addData(text, pos);
            pos = start + 2 + (sign == '-' || sign == '+' ? 1 : 0);
            if (kind == '%' && skipRawTag("raw")) {
                lexRaw(start);
                continue;
            }
            switch (kind) {
                case '#' -> skipComment(start);
                case '%' -> lexTag(Type.BLOCK_BEGIN, Type.BLOCK_END, "%}", start);
                default -> lexTag(Type.VAR_BEGIN, Type.VAR_END, "}}", start);
            }
        }
        tokens.add(new Token(Type.EOF, "", lineAt(src.length())));
    }

    private int nextTagStart(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    /** lstrip_blocks: drop the spaces and tabs between the start of the line and the tag. */
    private String lstripBlock(String text) {
        int lineStart = text.lastIndexOf('\n') + 1;
        if (lineStart == 0 && !lineStarting) {
            return text;
        }
        for (int i = lineStart; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t') {
                return text;
            }
        }
        return text.substring(0, lineStart);
    }

    private void addData(String text, int at) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Type.DATA, text, lineAt(at)));
            lineStarting = text.endsWith("\n");
        }
    }

    /**
     * Just inside {@code {%}: when the tag is {@code name} alone, consumes it through its closing
     * delimiter. {@code {% raw %}} keeps the newline after it ({@code -%}} strips whitespace);
     * {@code {% endraw %}} closes like any block tag.
     */
    private boolean skipRawTag(String name) {
        int i = pos;
        while (i < src.length() && PyStrings.isSpace(src.charAt(i))) {
            i++;
        }
        if (!src.startsWith(name, i)) {
            return false;
        }
        i += name.length();
        while (i < src.length() && PyStrings.isSpace(src.charAt(i))) {
            i++;
        }
        boolean isEnd = name.equals("endraw");
        char sign = src.startsWith("-%}", i) ? '-' : isEnd && src.startsWith("+%}", i) ? '+' : 0;
        if (sign == 0 && !src.startsWith("%}", i)) {
            return false;
        }
        pos = i + (sign == 0 ? 2 : 3);
        if (isEnd) {
            finishTag(sign);
        } else if (sign == '-') {
            skipWhitespace();
        }
        return true;
    }

    /** {@code {% raw %}...{% endraw %}}: the text in between is data, whatever it contains. */
    private void lexRaw(int tagStart) {
        boolean bodyLineStarting = src.charAt(pos - 1) == '\n';
        for (int search = pos; ; ) {
            int end = src.indexOf("{%", search);
            if (end < 0) {
                throw syntaxError("Missing end of raw directive", tagStart);
            }
            char sign = end + 2 < src.length() ? src.charAt(end + 2) : 0;
            int bodyStart = pos;
            String text = src.substring(bodyStart, end);
            pos = end + 2 + (sign == '-' || sign == '+' ? 1 : 0);
            if (skipRawTag("endraw")) {
                boolean afterEndLineStarting = lineStarting;
                lineStarting = bodyLineStarting;
                if (sign == '-') {
                    text = PyStrings.rstrip(text, null);
                } else if (sign != '+') {
                    text = lstripBlock(text);
                }
                addData(text, bodyStart);
                lineStarting = afterEndLineStarting;
                return;
            }
            pos = bodyStart;
            search = end + 2;
        }
    }

    private void skipComment(int tagStart) {
        int end = src.indexOf("#}", pos);
        if (end < 0) {
            throw syntaxError("Missing end of comment tag", tagStart);
        }
        char sign = end > pos ? src.charAt(end - 1) : 0;
        pos = end + 2;
        finishTag(sign);
    }

    /** After a closing delimiter: {@code -} strips all following whitespace, {@code +} nothing, else trim_blocks one newline. */
    private void finishTag(char sign) {
        if (sign == '-') {
            skipWhitespace();
        } else if (sign != '+' && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
        }
        lineStarting = pos > 0 && src.charAt(pos - 1) == '\n';
    }

    private void lexTag(Type begin, Type end, String closing, int tagStart) {
        tokens.add(new Token(begin, src.substring(tagStart, pos), lineAt(tagStart)));
        Deque<Character> brackets = new ArrayDeque<>();
        while (true) {
            if (brackets.isEmpty()) {
                if (src.startsWith("-" + closing, pos)) {
                    tokens.add(new Token(end, closing, lineAt(pos)));
                    pos += 3;
                    skipWhitespace();
                    lineStarting = src.charAt(pos - 1) == '\n';
                    return;
                }
                if (end == Type.BLOCK_END && src.startsWith("+" + closing, pos)) {
                    tokens.add(new Token(end, closing, lineAt(pos)));
                    pos += 3;
                    lineStarting = false;
                    return;
                }
                if (src.startsWith(closing, pos)) {
                    tokens.add(new Token(end, closing, lineAt(pos)));
                    pos += 2;
                    if (end == Type.BLOCK_END) {
                        finishTag((char) 0);
                    } else {
                        lineStarting = false;
                    }
                    return;
                }
            }
            if (pos >= src.length()) {
                throw syntaxError("unexpected end of template, expected '" + closing + "'", pos);
            }
            char c = src.charAt(pos);
            if (PyStrings.isSpace(c)) {
                pos++;
            } else if (isAsciiDigit(c)) {
                lexNumber();
            } else if (c == '_' || Character.isLetter(c)) {
                int start = pos;
                while (pos < src.length() && (src.charAt(pos) == '_' || Character.isLetterOrDigit(src.charAt(pos)))) {
                    pos++;
                }
                tokens.add(new Token(Type.NAME, src.substring(start, pos), lineAt(start)));
            } else if (c == '\'' || c == '"') {
                lexString(c);
            } else {
                lexOperator(brackets);
            }
        }
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < src.length() && PyStrings.isSpace(src.charAt(pos))) {
            pos++;
        }
    }

    private void lexNumber() {
        int start = pos;
        skipDigits();
        boolean isFloat = false;
        // "x.0" is an attribute lookup of item 0, so a number right after a dot takes no fraction.
        boolean afterDot = start > 0 && src.charAt(start - 1) == '.';
        if (!afterDot && pos + 1 < src.length() && src.charAt(pos) == '.' && isAsciiDigit(src.charAt(pos + 1))) {
            pos++;
            skipDigits();
            isFloat = true;
        }
        if (!afterDot && pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int mark = pos;
            pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < src.length() && isAsciiDigit(src.charAt(pos))) {
                skipDigits();
                isFloat = true;
            } else {
                pos = mark;
            }
        }
        String text = src.substring(start, pos).replace("_", "");
        try {
            tokens.add(isFloat ? new Token(Type.FLOAT, Double.parseDouble(text), lineAt(start))
                    : new Token(Type.INTEGER, Long.parseLong(text), lineAt(start)));
        } catch (NumberFormatException e) {
            throw syntaxError("number out of range: " + text, start);
        }
    }

    private void skipDigits() {
        while (pos < src.length() && (isAsciiDigit(src.charAt(pos))
                || src.charAt(pos) == '_' && pos + 1 < src.length() && isAsciiDigit(src.charAt(pos + 1)))) {
            pos++;
        }
    }

    private void lexString(char quote) {
        int start = pos++;
        StringBuilder raw = new StringBuilder();
        while (true) {
            if (pos >= src.length()) {
                throw syntaxError("unexpected end of string", start);
            }
            char c = src.charAt(pos);
            if (c == quote) {
                pos++;
                break;
            }
            if (c == '\\' && pos + 1 < src.length()) {
                raw.append(c).append(src.charAt(pos + 1));
                pos += 2;
            } else {
                raw.append(c);
                pos++;
            }
        }
        tokens.add(new Token(Type.STRING, unescape(raw.toString(), start), lineAt(start)));
    }

    /** Python's unicode-escape decoding, which jinja2 applies to string literals. */
    private String unescape(String s, int at) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\n' -> { }
                case '\\', '\'', '"' -> sb.append(e);
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    String hex = s.substring(i + 1, Math.min(s.length(), i + 1 + digits));
                    if (hex.length() < digits || !hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                        throw syntaxError("truncated \\" + e + " escape in string literal", at);
                    }
                    sb.appendCodePoint(Integer.parseInt(hex, 16));
                    i += digits;
                }
                case 'N' -> {
                    int close = s.indexOf('}', i);
                    if (i + 1 >= s.length() || s.charAt(i + 1) != '{' || close < 0) {
                        throw syntaxError("malformed \\N character escape in string literal", at);
                    }
                    try {
                        sb.appendCodePoint(Character.codePointOf(s.substring(i + 2, close)));
                    } catch (IllegalArgumentException unknown) {
                        throw syntaxError("unknown Unicode character name in string literal", at);
                    }
                    i = close;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        sb.appendCodePoint(Integer.parseInt(s.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        sb.append('\\').append(e);
                    }
                }
            }
        }
        return sb.toString();
    }

    private void lexOperator(Deque<Character> brackets) {
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) {
                char c = op.charAt(0);
                if (op.length() == 1 && (c == '(' || c == '[' || c == '{')) {
                    brackets.push(c == '(' ? ')' : c == '[' ? ']' : '}');
                } else if (op.length() == 1 && (c == ')' || c == ']' || c == '}')) {
                    if (brackets.isEmpty()) {
                        throw syntaxError("unexpected '" + c + "'", pos);
                    }
                    char expected = brackets.pop();
                    if (expected != c) {
                        throw syntaxError("unexpected '" + c + "', expected '" + expected + "'", pos);
                    }
                }
                tokens.add(new Token(Type.OPERATOR, op, lineAt(pos)));
                pos += op.length();
                return;
            }
        }
        throw syntaxError("unexpected char " + Values.repr(String.valueOf(src.charAt(pos))) + " at " + pos, pos);
    }

    private TemplateException syntaxError(String message, int at) {
        return new TemplateException(TemplateException.Kind.SYNTAX, message, lineAt(at));
    }
}

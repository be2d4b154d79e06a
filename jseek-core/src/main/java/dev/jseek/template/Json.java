package dev.jseek.template;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} for template values, as transformers' {@code tojson} filter calls it:
 * key order kept (or sorted), {@code ", "} and {@code ": "} separators ({@code ","} between items
 * once indenting), non-ASCII characters written as they are unless {@code ensure_ascii}, floats in
 * Python's repr. Values JSON cannot hold (a generator, Undefined, a namespace) are a TypeError.
 */
final class Json {

    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final boolean ensureAscii;
    private final StringBuilder out = new StringBuilder();

    /** {@code indent} null for one line; {@code separators} null for Python's defaults. */
    private Json(String indent, List<String> separators, boolean sortKeys, boolean ensureAscii) {
        this.indent = indent;
        this.itemSeparator = separators != null ? separators.get(0) : indent == null ? ", " : ",";
        this.keySeparator = separators != null ? separators.get(1) : ": ";
        this.sortKeys = sortKeys;
        this.ensureAscii = ensureAscii;
    }

    static String dumps(Object value, String indent, List<String> separators, boolean sortKeys, boolean ensureAscii) {
        Json json = new Json(indent, separators, sortKeys, ensureAscii);
        json.write(value, 0);
        return json.out.toString();
    }

    private void write(Object value, int depth) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Long l -> out.append(l);
            case Double d -> out.append(floatText(d));
            case String s -> writeString(s);
            case List<?> l -> writeArray(l, depth);
            case PyTuple t -> writeArray(t.items(), depth);
            case Map<?, ?> m -> writeObject(m, depth);
            default -> throw Signature.typeError("Object of type " + Values.typeName(value) + " is not JSON serializable");
        }
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return Values.formatFloat(d);
    }

    private void writeArray(List<?> items, int depth) {
        if (items.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < items.size(); i++) {
            out.append(i == 0 ? "" : itemSeparator);
            newline(depth + 1);
            write(items.get(i), depth + 1);
        }
        newline(depth);
        out.append(']');
    }

    private void writeObject(Map<?, ?> map, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>();
        map.forEach((k, v) -> entries.add(new AbstractMap.SimpleImmutableEntry<>(keyText(k), v)));
        if (sortKeys) {
            entries.sort((x, y) -> Values.compareCodePoints(x.getKey(), y.getKey()));
        }
        out.append('{');
        for (int i = 0; i < entries.size(); i++) {
            out.append(i == 0 ? "" : itemSeparator);
            newline(depth + 1);
            writeString(entries.get(i).getKey());
            out.append(keySeparator);
            write(entries.get(i).getValue(), depth + 1);
        }
        newline(depth);
        out.append('}');
    }

    /** Python turns int, float, bool and None keys into strings; other key types are an error. */
    private static String keyText(Object key) {
        return switch (key) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Long l -> Long.toString(l);
            case Double d -> floatText(d);
            default -> throw Signature.typeError("keys must be str, int, float, bool or None, not " + Values.typeName(key));
        };
    }

    private void newline(int depth) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(depth));
        }
    }

    private void writeString(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // ensure_ascii escapes UTF-16 units, which gives surrogate pairs for astral characters as Python does.
                    if (c < 0x20 || ensureAscii && c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}

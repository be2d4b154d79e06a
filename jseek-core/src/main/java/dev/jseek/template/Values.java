package dev.jseek.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Python object model behind template values, as jinja2 sees it: None is Java {@code null},
 * bool {@link Boolean}, int {@link Long}, float {@link Double}, str {@link String}, list
 * {@link List}, dict {@link Map} (insertion ordered), tuple {@link PyTuple}; plus jinja2's own
 * {@link Undefined}, {@link Namespace}, {@link Generator} and callables. This class holds what
 * Python defines for all of them: truthiness, {@code str}, {@code repr}, equality, ordering and
 * iteration.
 */
final class Values {

    private Values() {
    }

    /**
     * Plain Java data (maps, lists, strings, numbers, booleans, null), as a JSON parser produces it,
     * copied into the value model. Copying keeps the caller's objects out of reach of the template.
     */
    static Object fromJava(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case BigInteger b -> {
                if (b.bitLength() > 63) {
                    throw new IllegalArgumentException("integer " + b + " is too large for a template value");
                }
                yield b.longValue();
            }
            case Double d -> d;
            case Float f -> (double) f;
            case BigDecimal d -> d.doubleValue();
            case Character c -> String.valueOf(c);
            case Map<?, ?> m -> {
                Map<Object, Object> copy = new LinkedHashMap<>();
                m.forEach((key, value) -> copy.put(fromJava(key), fromJava(value)));
                yield copy;
            }
            case Iterable<?> items -> {
                List<Object> copy = new ArrayList<>();
                items.forEach(item -> copy.add(fromJava(item)));
                yield copy;
            }
            default -> throw new IllegalArgumentException("cannot pass a " + v.getClass().getName() + " to a template");
        };
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case PyTuple t -> !t.items().isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    /** Python's {@code str(v)}, except that Undefined prints as nothing (as jinja2 prints it). */
    static String str(Object v) {
        return switch (v) {
            case String s -> s;
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Long l -> Long.toString(l);
            case Double d -> formatFloat(d);
            case Undefined u -> "";
            default -> repr(v);
        };
    }

    /** Python's {@code repr(v)}. */
    static String repr(Object v) {
        return switch (v) {
            case String s -> reprString(s);
            case List<?> l -> join("[", l, "]");
            case PyTuple t -> t.items().size() == 1 ? "(" + repr(t.items().getFirst()) + ",)" : join("(", t.items(), ")");
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("{");
                m.forEach((key, value) -> sb.append(sb.length() > 1 ? ", " : "").append(repr(key)).append(": ").append(repr(value)));
                yield sb.append('}').toString();
            }
            case Namespace n -> "<Namespace " + repr(n.attributes) + ">";
            case Undefined u -> "Undefined";
            case null -> "None";
            case Boolean b -> str(b);
            case Long l -> str(l);
            case Double d -> str(d);
            default -> v.toString();
        };
    }

    private static String join(String open, List<?> items, String close) {
        StringBuilder sb = new StringBuilder(open);
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(repr(items.get(i)));
        }
        return sb.append(close).toString();
    }

    /** Python's string repr: single quotes unless only double quotes avoid escaping. */
    private static String reprString(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder(s.length() + 2).append(quote);
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (cp == quote) {
                        sb.append('\\').append(quote);
                    } else if (isPrintable(cp)) {
                        sb.appendCodePoint(cp);
                    } else if (cp <= 0xff) {
                        sb.append(String.format("\\x%02x", cp));
                    } else if (cp <= 0xffff) {
                        sb.append(String.format("\\u%04x", cp));
                    } else {
                        sb.append(String.format("\\U%08x", cp));
                    }
                }
            }
        });
        return sb.append(quote).toString();
    }

    /** Python's {@code str.isprintable} for one code point: no control, format or separator characters but the space. */
    private static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /**
     * Python's float repr: the shortest digits that read back to the same double, in positional
     * notation for decimal exponents from -4 to 15 and in scientific notation ({@code 1e+20}) otherwise.
     */
    static String formatFloat(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        // Double.toString gives the shortest round-tripping digits; only the layout differs from Python.
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int exponent = digits.length() - 1 - exact.scale();
        StringBuilder sb = new StringBuilder(d < 0 ? "-" : "");
        if (exponent < -4 || exponent >= 16) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int magnitude = Math.abs(exponent);
            sb.append(magnitude < 10 ? "0" : "").append(magnitude);
        } else if (exponent < 0) {
            sb.append("0.").append("0".repeat(-exponent - 1)).append(digits);
        } else if (digits.length() <= exponent + 1) {
            sb.append(digits).append("0".repeat(exponent + 1 - digits.length())).append(".0");
        } else {
            sb.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
        }
        return sb.toString();
    }

    /** Python's type name, as error messages show it ({@code NoneType}, {@code str}, {@code dict}, ...). */
    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case PyTuple t -> "tuple";
            case Generator g -> "generator";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case LoopInfo l -> "LoopContext";
            case Macro m -> "Macro";
            default -> "builtin_function_or_method";
        };
    }

    /** jinja2's description of an object in "has no attribute" messages: {@code dict object}, {@code None}. */
    static String objectTypeRepr(Object v) {
        return switch (v) {
            case null -> "None";
            case Namespace n -> "jinja2.utils.Namespace object";
            case LoopInfo l -> "jinja2.runtime.LoopContext object";
            case Macro m -> "jinja2.runtime.Macro object";
            default -> typeName(v) + " object";
        };
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    /** An int or a bool (a bool is an int in Python). */
    static boolean isInteger(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long asLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    static double asDouble(Object v) {
        return v instanceof Double d ? d : asLong(v);
    }

    /** Python's {@code ==}. */
    static boolean equal(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            return a instanceof Double || b instanceof Double ? asDouble(a) == asDouble(b) : asLong(a) == asLong(b);
        }
        return switch (a) {
            case String s -> s.equals(b);
            case List<?> l when b instanceof List<?> other -> equalItems(l, other);
            case PyTuple t when b instanceof PyTuple other -> equalItems(t.items(), other.items());
            case Map<?, ?> m when b instanceof Map<?, ?> other -> m.size() == other.size() && m.entrySet().stream()
                    .allMatch(e -> containsKey(other, e.getKey()) && equal(e.getValue(), get(other, e.getKey())));
            case Undefined u -> b instanceof Undefined;
            default -> false;
        };
    }

    private static boolean equalItems(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!equal(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether a dict has a key, with Python's equality ({@code 1}, {@code 1.0} and {@code True} are one key). */
    static boolean containsKey(Map<?, ?> map, Object key) {
        if (map.containsKey(key)) {
            return true;
        }
        return isNumber(key) && map.keySet().stream().anyMatch(k -> equal(k, key));
    }

    static Object get(Map<?, ?> map, Object key) {
        if (map.containsKey(key) || !isNumber(key)) {
            return map.get(key);
        }
        return map.entrySet().stream().filter(e -> equal(e.getKey(), key)).map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /** {@code dict[key] = value} with Python's key equality: the first spelling of an equal key stays. */
    static void putKey(Map<Object, Object> map, Object key, Object value) {
        if (isNumber(key) && !map.containsKey(key)) {
            for (Map.Entry<Object, Object> e : map.entrySet()) {
                if (isNumber(e.getKey()) && equal(e.getKey(), key)) {
                    e.setValue(value);
                    return;
                }
            }
        }
        map.put(key, value);
    }

    /** Python's {@code <}, {@code <=}, {@code >}, {@code >=} as a sign; a TypeError for unorderable types. */
    static int compare(Object a, Object b, String operator) {
        if (isNumber(a) && isNumber(b)) {
            return a instanceof Double || b instanceof Double ? Double.compare(asDouble(a), asDouble(b)) : Long.compare(asLong(a), asLong(b));
        }
        if (a instanceof String s && b instanceof String t) {
            return compareCodePoints(s, t);
        }
        if (a instanceof List<?> l && b instanceof List<?> m) {
            return compareItems(l, m, operator);
        }
        if (a instanceof PyTuple l && b instanceof PyTuple m) {
            return compareItems(l.items(), m.items(), operator);
        }
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        throw new TemplateException(TemplateException.Kind.TYPE,
                "'" + operator + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    private static int compareItems(List<?> a, List<?> b, String operator) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!equal(a.get(i), b.get(i))) {
                return compare(a.get(i), b.get(i), operator);
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** String order by code point, as Python orders str (Java's compareTo orders UTF-16 units). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /** Python's {@code iter(v)}: list items, dict keys, string characters; Undefined iterates as empty. */
    static Iterator<Object> iterate(Object v) {
        return switch (v) {
            case List<?> l -> castIterator(l.iterator());
            case PyTuple t -> t.items().iterator();
            case Map<?, ?> m -> castIterator(new ArrayList<>(m.keySet()).iterator());
            case String s -> s.codePoints().mapToObj(cp -> (Object) Character.toString(cp)).iterator();
            case Generator g -> g.iterator();
            case Undefined u -> Collections.emptyIterator();
            case null, default -> throw new TemplateException(TemplateException.Kind.TYPE,
                    "'" + typeName(v) + "' object is not iterable");
        };
    }

    @SuppressWarnings("unchecked")
    private static Iterator<Object> castIterator(Iterator<?> it) {
        return (Iterator<Object>) it;
    }

    /** Python's {@code list(v)}. */
    static List<Object> toList(Object v) {
        List<Object> items = new ArrayList<>();
        iterate(v).forEachRemaining(items::add);
        return items;
    }

    static boolean isIterable(Object v) {
        return v instanceof List || v instanceof PyTuple || v instanceof Map || v instanceof String || v instanceof Generator
                || v instanceof Undefined;
    }

    /** Python's {@code len(v)}; length of a string in code points. */
    static long length(Object v) {
        return switch (v) {
            case String s -> s.codePointCount(0, s.length());
            case List<?> l -> l.size();
            case Map<?, ?> m -> m.size();
            case PyTuple t -> t.items().size();
            case Undefined u -> 0;
            case null, default -> throw new TemplateException(TemplateException.Kind.TYPE,
                    "object of type '" + typeName(v) + "' has no len()");
        };
    }
}

package dev.jseek.template;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * jinja2's built-in filters that chat templates use, and transformers' {@code tojson}.
 * {@code map}, {@code select} and their kin return one-shot generators, as in jinja2.
 * There is deliberately no {@code from_json}: the reference environment has none, so templates
 * that use it fail there, and must fail here too.
 */
final class Filters {

    private Filters() {
    }

    @FunctionalInterface
    interface Filter {
        Object apply(Object value, List<Object> args, Map<String, Object> kwargs);
    }

    private static final Map<String, Filter> FILTERS = Map.ofEntries(
            Map.entry("abs", Filters::abs),
            Map.entry("capitalize", (v, a, k) -> PyStrings.capitalize(text("capitalize", v, a, k))),
            Map.entry("count", Filters::length),
            Map.entry("default", Filters::defaultValue),
            Map.entry("d", Filters::defaultValue),
            Map.entry("first", Filters::first),
            Map.entry("float", Filters::toFloat),
            Map.entry("int", Filters::toInt),
            Map.entry("items", Filters::items),
            Map.entry("join", Filters::join),
            Map.entry("last", Filters::last),
            Map.entry("length", Filters::length),
            Map.entry("list", (v, a, k) -> {
                new Signature("list", 0).bind(a, k);
                return Values.toList(v);
            }),
            Map.entry("lower", (v, a, k) -> PyStrings.lower(text("lower", v, a, k))),
            Map.entry("map", Filters::map),
            Map.entry("reject", (v, a, k) -> select(v, a, k, false, false)),
            Map.entry("rejectattr", (v, a, k) -> select(v, a, k, false, true)),
            Map.entry("replace", Filters::replace),
            Map.entry("reverse", Filters::reverse),
            Map.entry("select", (v, a, k) -> select(v, a, k, true, false)),
            Map.entry("selectattr", (v, a, k) -> select(v, a, k, true, true)),
            Map.entry("string", (v, a, k) -> {
                new Signature("string", 0).bind(a, k);
                return Values.str(v);
            }),
            Map.entry("title", (v, a, k) -> title(text("title", v, a, k))),
            Map.entry("tojson", Filters::toJson),
            Map.entry("trim", Filters::trim),
            Map.entry("upper", (v, a, k) -> PyStrings.upper(text("upper", v, a, k))));

    /** The filter of that name, or null when the environment has none. */
    static Filter named(String name) {
        return FILTERS.get(name);
    }

    /** The value as a string, for the filters that take no arguments beyond it. */
    private static String text(String filter, Object value, List<Object> args, Map<String, Object> kwargs) {
        new Signature(filter, 0).bind(args, kwargs);
        return Values.str(value);
    }

    private static Object abs(Object v, List<Object> args, Map<String, Object> kwargs) {
        new Signature("abs", 0).bind(args, kwargs);
        return switch (v) {
            case Long l -> Math.abs(l);
            case Boolean b -> b ? 1L : 0L;
            case Double d -> Math.abs(d);
            case Undefined u -> throw u.error();
            case null, default -> throw Signature.typeError("bad operand type for abs(): '" + Values.typeName(v) + "'");
        };
    }

    private static Object length(Object v, List<Object> args, Map<String, Object> kwargs) {
        new Signature("length", 0).bind(args, kwargs);
        return Values.length(v);
    }

    private static Object defaultValue(Object v, List<Object> args, Map<String, Object> kwargs) {
        Object[] a = new Signature("default", 0, "default_value", "boolean").bind(args, kwargs, "", false);
        boolean useDefault = v instanceof Undefined || Values.truthy(a[1]) && !Values.truthy(v);
        return useDefault ? a[0] : v;
    }

    private static Object first(Object v, List<Object> args, Map<String, Object> kwargs) {
        new Signature("first", 0).bind(args, kwargs);
        Iterator<Object> it = Values.iterate(v);
        return it.hasNext() ? it.next() : Undefined.withHint("No first item, sequence was empty.");
    }

    private static Object last(Object v, List<Object> args, Map<String, Object> kwargs) {
        new Signature("last", 0).bind(args, kwargs);
        if (v instanceof Generator) {
            throw Signature.typeError("'generator' object is not reversible");
        }
        List<Object> items = Values.toList(v);
        return items.isEmpty() ? Undefined.withHint("No last item, sequence was empty.") : items.getLast();
    }

    private static Object toFloat(Object v, List<Object> args, Map<String, Object> kwargs) {
        Object fallback = new Signature("float", 0, "default").bind(args, kwargs, 0.0)[0];
        if (Values.isNumber(v)) {
            return Values.asDouble(v);
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(PyStrings.strip(s, null).replace("_", ""));
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    private static Object toInt(Object v, List<Object> args, Map<String, Object> kwargs) {
        Object[] a = new Signature("int", 0, "default", "base").bind(args, kwargs, 0L, 10L);
        if (Values.isInteger(v)) {
            return Values.asLong(v);
        }
        if (v instanceof Double d) {
            return (long) (double) d;
        }
        if (v instanceof String s) {
            String digits = PyStrings.strip(s, null).replace("_", "");
            try {
                return Long.parseLong(digits, (int) Methods.integer(a[1]));
            } catch (NumberFormatException notAnInteger) {
                try {
                    return (long) Double.parseDouble(digits);
                } catch (NumberFormatException notANumber) {
                    return a[0];
                }
            }
        }
        return a[0];
    }

    private static Object items(Object v, List<Object> args, Map<String, Object> kwargs) {
        new Signature("items", 0).bind(args, kwargs);
        return new Generator(() -> {
            if (v instanceof Undefined) {
                return java.util.Collections.emptyIterator();
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw Signature.typeError("Can only get item pairs from a mapping.");
            }
            List<Object> pairs = new ArrayList<>();
            m.forEach((key, value) -> pairs.add(PyTuple.of(key, value)));
            return pairs.iterator();
        }, "do_items");
    }

    private static Object reverse(Object v, List<Object> args, Map<String, Object> kwargs) {
        new Signature("reverse", 0).bind(args, kwargs);
        if (v instanceof String s) {
            return new StringBuilder(s).reverse().toString();
        }
        if (!Values.isIterable(v)) {
            throw new TemplateException(TemplateException.Kind.RUNTIME, "argument must be iterable");
        }
        List<Object> items = Values.toList(v);
        java.util.Collections.reverse(items);
        return v instanceof Generator ? items : new Generator(items::iterator, "reversed");
    }

    private static Object join(Object v, List<Object> args, Map<String, Object> kwargs) {
        Object[] a = new Signature("join", 0, "d", "attribute").bind(args, kwargs, "", null);
        StringBuilder sb = new StringBuilder();
        String separator = Values.str(a[0]);
        boolean firstItem = true;
        for (Iterator<Object> it = Values.iterate(v); it.hasNext(); firstItem = false) {
            Object item = it.next();
            sb.append(firstItem ? "" : separator).append(Values.str(a[1] == null ? item : attributePath(item, a[1], null)));
        }
        return sb.toString();
    }

    private static Object map(Object v, List<Object> args, Map<String, Object> kwargs) {
        return new Generator(() -> {
            Iterator<Object> items = Values.iterate(v);
            if (kwargs.containsKey("attribute")) {
                Object[] a = new Signature("map", 0, "attribute", "default").bind(args, kwargs, null, null);
                return transform(items, item -> attributePath(item, a[0], a[1]));
            }
            if (args.isEmpty()) {
                throw Signature.typeError("map() requires a filter name or attribute=");
            }
            String name = Values.str(args.getFirst());
            Filter filter = named(name);
            if (filter == null) {
                throw new TemplateException(TemplateException.Kind.RUNTIME, "No filter named '" + name + "'.");
            }
            List<Object> rest = args.subList(1, args.size());
            return transform(items, item -> filter.apply(item, rest, kwargs));
        }, "sync_do_map");
    }

    /** select/reject (by a test on each item) and selectattr/rejectattr (by a test on an attribute of it). */
    private static Object select(Object v, List<Object> args, Map<String, Object> kwargs, boolean keep, boolean onAttribute) {
        return new Generator(() -> {
            if (!kwargs.isEmpty()) {
                throw Signature.typeError("keyword arguments to select/reject tests are not supported");
            }
            int offset = onAttribute ? 1 : 0;
            if (onAttribute && args.isEmpty()) {
                throw Signature.typeError("Missing parameter for attribute name");
            }
            Object attribute = onAttribute ? args.getFirst() : null;
            Predicate<Object> test;
            if (args.size() > offset) {
                String name = Values.str(args.get(offset));
                Tests.Test named = Tests.named(name);
                if (named == null) {
                    throw new TemplateException(TemplateException.Kind.RUNTIME, "No test named '" + name + "'.");
                }
                List<Object> testArgs = args.subList(offset + 1, args.size());
                test = x -> named.test(x, testArgs);
            } else {
                test = Values::truthy;
            }
            Predicate<Object> wanted = item -> test.test(onAttribute ? attributePath(item, attribute, null) : item) == keep;
            return filtered(Values.iterate(v), wanted);
        }, "select_or_reject");
    }

    private static Iterator<Object> filtered(Iterator<Object> source, Predicate<Object> wanted) {
        return new Iterator<>() {
            private Object pending;
            private boolean ready;

            @Override
            public boolean hasNext() {
                while (!ready && source.hasNext()) {
                    Object item = source.next();
                    if (wanted.test(item)) {
                        pending = item;
                        ready = true;
                    }
                }
                return ready;
            }

            @Override
            public Object next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                ready = false;
                return pending;
            }
        };
    }

    private static Iterator<Object> transform(Iterator<Object> source, java.util.function.UnaryOperator<Object> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public Object next() {
                return f.apply(source.next());
            }
        };
    }

    /**
     * jinja2's attribute getter: a dotted path of item lookups ({@code "function.name"}, digits as
     * indexes); {@code fallback} replaces an Undefined result when given.
     */
    private static Object attributePath(Object item, Object path, Object fallback) {
        Object value = item;
        List<String> parts = path instanceof String s ? List.of(s.split("\\.", -1)) : null;
        if (parts == null) {
            value = Access.item(value, path);
        } else {
            for (String part : parts) {
                value = Access.item(value, !part.isEmpty() && part.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(part) : part);
            }
        }
        return fallback != null && value instanceof Undefined ? fallback : value;
    }

    private static Object replace(Object v, List<Object> args, Map<String, Object> kwargs) {
        Object[] a = new Signature("replace", 2, "old", "new", "count").bind(args, kwargs, (Object) null);
        long count = a[2] == null ? -1 : Methods.integer(a[2]);
        return PyStrings.replace(Values.str(v), Values.str(a[0]), Values.str(a[1]), count);
    }

    /** jinja2's title filter: upper-case the first letter of each word, words starting after spaces and brackets. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean wordStart = true;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean separator = PyStrings.isSpace(cp) || "-({[<".indexOf(cp) >= 0;
            if (separator) {
                sb.appendCodePoint(cp);
                wordStart = true;
            } else {
                sb.appendCodePoint(wordStart ? Character.toUpperCase(cp) : Character.toLowerCase(cp));
                wordStart = false;
            }
        }
        return sb.toString();
    }

    /** transformers' tojson: {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}. */
    private static Object toJson(Object v, List<Object> args, Map<String, Object> kwargs) {
        Object[] a = new Signature("tojson", 0, "ensure_ascii", "indent", "separators", "sort_keys")
                .bind(args, kwargs, false, null, null, false);
        String indent = switch (a[1]) {
            case null -> null;
            case String s -> s;
            case Object n when Values.isInteger(n) -> " ".repeat((int) Math.max(0, Values.asLong(n)));
            default -> throw Signature.typeError("indent must be an int or a string");
        };
        List<String> separators = null;
        if (a[2] != null) {
            List<Object> pair = a[2] instanceof PyTuple t ? t.items() : a[2] instanceof List<?> l ? new ArrayList<>(l) : List.of();
            if (pair.size() != 2 || !(pair.get(0) instanceof String) || !(pair.get(1) instanceof String)) {
                throw Signature.typeError("separators must be a pair of strings");
            }
            separators = List.of((String) pair.get(0), (String) pair.get(1));
        }
        return Json.dumps(v, indent, separators, Values.truthy(a[3]), Values.truthy(a[0]));
    }

    private static Object trim(Object v, List<Object> args, Map<String, Object> kwargs) {
        Object chars = new Signature("trim", 0, "chars").bind(args, kwargs, (Object) null)[0];
        return PyStrings.strip(Values.str(v), chars == null ? null : Values.str(chars));
    }
}

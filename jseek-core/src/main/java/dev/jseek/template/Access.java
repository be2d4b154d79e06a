package dev.jseek.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code x.name}, {@code x[key]} and {@code x[a:b:c]} with jinja2's sandboxed lookup rules: a dot
 * prefers a Python attribute and falls back to the item, brackets prefer the item and fall back to
 * the attribute, and what is missing either way is Undefined rather than an error.
 */
final class Access {

    private Access() {
    }

    static Object attribute(Object target, String name) {
        switch (target) {
            case Undefined u -> throw u.error();
            case Namespace ns -> {
                return ns.attributes.containsKey(name) ? ns.attributes.get(name) : Undefined.member(ns, name);
            }
            case LoopInfo loop -> {
                return loop.attribute(name);
            }
            case null, default -> {
                Object method = Methods.attribute(target, name);
                if (method != null) {
                    return method;
                }
                if (target instanceof Map<?, ?> m && Values.containsKey(m, name)) {
                    return Values.get(m, name);
                }
                return Undefined.member(target, name);
            }
        }
    }

    static Object item(Object target, Object key) {
        switch (target) {
            case Undefined u -> throw u.error();
            case Map<?, ?> m when isHashable(key) && Values.containsKey(m, key) -> {
                return Values.get(m, key);
            }
            case List<?> l when Values.isInteger(key) -> {
                return element(l, l, key);
            }
            case PyTuple t when Values.isInteger(key) -> {
                return element(t, t.items(), key);
            }
            case String s when Values.isInteger(key) -> {
                int[] codePoints = s.codePoints().toArray();
                int i = normalizedIndex(key, codePoints.length);
                return i < 0 ? Undefined.member(s, key) : Character.toString(codePoints[i]);
            }
            case null, default -> {
                if (key instanceof String name && !(target instanceof Map)) {
                    return attribute(target, name);
                }
                if (key instanceof String name) {
                    Object method = Methods.attribute(target, name);
                    return method != null ? method : Undefined.member(target, key);
                }
                return Undefined.member(target, key);
            }
        }
    }

    private static Object element(Object owner, List<?> items, Object key) {
        int i = normalizedIndex(key, items.size());
        return i < 0 ? Undefined.member(owner, key) : items.get(i);
    }

    /** A Python index (negative counts from the end) as a position, or -1 when out of range. */
    private static int normalizedIndex(Object key, int size) {
        long i = Values.asLong(key);
        if (i < 0) {
            i += size;
        }
        return i < 0 || i >= size ? -1 : (int) i;
    }

    private static boolean isHashable(Object key) {
        return !(key instanceof List || key instanceof Map);
    }

    /** {@code target[start:stop:step]} on a list, tuple or string (in code points); absent bounds are null. */
    static Object slice(Object target, Object start, Object stop, Object step) {
        return switch (target) {
            case List<?> l -> sliced(new ArrayList<Object>(l), start, stop, step);
            case PyTuple t -> new PyTuple(sliced(t.items(), start, stop, step));
            case String s -> {
                List<Object> codePoints = new ArrayList<>();
                s.codePoints().forEach(codePoints::add);
                StringBuilder sb = new StringBuilder();
                sliced(codePoints, start, stop, step).forEach(cp -> sb.appendCodePoint((Integer) cp));
                yield sb.toString();
            }
            case Undefined u -> throw u.error();
            case null, default -> throw Signature.typeError("'" + Values.typeName(target) + "' object is not subscriptable");
        };
    }

    private static List<Object> sliced(List<Object> items, Object startValue, Object stopValue, Object stepValue) {
        long step = stepValue == null ? 1 : sliceIndex(stepValue);
        if (step == 0) {
            throw new TemplateException(TemplateException.Kind.VALUE, "slice step cannot be zero");
        }
        int n = items.size();
        long start = bound(startValue, n, step, step < 0 ? n - 1 : 0);
        long stop = bound(stopValue, n, step, step < 0 ? -1 : n);
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(items.get((int) i));
        }
        return out;
    }

    /** Python's clamping of one slice bound to the sequence. */
    private static long bound(Object value, int n, long step, long absent) {
        if (value == null) {
            return absent;
        }
        long i = sliceIndex(value);
        if (i < 0) {
            i += n;
            if (i < 0) {
                i = step < 0 ? -1 : 0;
            }
        } else if (i >= n) {
            i = step < 0 ? n - 1 : n;
        }
        return i;
    }

    private static long sliceIndex(Object v) {
        if (Values.isInteger(v)) {
            return Values.asLong(v);
        }
        throw Signature.typeError("slice indices must be integers or None or have an __index__ method");
    }
}

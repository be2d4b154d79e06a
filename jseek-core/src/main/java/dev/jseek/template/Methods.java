package dev.jseek.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python methods templates call on strings and dicts ({@code s.split('</think>')},
 * {@code d.items()}), and the sandbox rule that refuses methods which would change a list or dict.
 */
final class Methods {

    private Methods() {
    }

    /** A method bound to its receiver, as {@code s.split} evaluates before it is called. */
    record BoundMethod(String name, Object receiver, TemplateCallable body) implements TemplateCallable {

        @Override
        public Object call(List<Object> args, Map<String, Object> kwargs) {
            return body.call(args, kwargs);
        }

        @Override
        public String toString() {
            return "<built-in method " + name + " of " + Values.typeName(receiver) + " object>";
        }
    }

    /** What ImmutableSandboxedEnvironment blocks: every method that modifies a list or a dict. */
    private static final Set<String> LIST_MUTATORS = Set.of("append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort");
    private static final Set<String> DICT_MUTATORS = Set.of("clear", "pop", "popitem", "setdefault", "update");

    private static final Set<String> STRING_METHODS = Set.of("startswith", "endswith", "strip", "lstrip", "rstrip", "split",
            "rsplit", "replace", "upper", "lower", "title", "capitalize", "join", "find", "count");
    private static final Set<String> DICT_METHODS = Set.of("items", "keys", "values", "get");

    /**
     * The attribute {@code name} of a built-in value: a bound method, an Undefined that fails with a
     * SecurityError for a mutating method, or null when the type has no such attribute.
     */
    static Object attribute(Object receiver, String name) {
        switch (receiver) {
            case String s when STRING_METHODS.contains(name) -> {
                return new BoundMethod(name, s, (args, kwargs) -> callString(s, name, args, kwargs));
            }
            case Map<?, ?> m when DICT_METHODS.contains(name) -> {
                return new BoundMethod(name, m, (args, kwargs) -> callDict(m, name, args, kwargs));
            }
            case Map<?, ?> m when DICT_MUTATORS.contains(name) -> {
                return Undefined.unsafe(m, name);
            }
            case List<?> l when LIST_MUTATORS.contains(name) -> {
                return Undefined.unsafe(l, name);
            }
            case null, default -> {
                return null;
            }
        }
    }

    private static Object callString(String s, String name, List<Object> args, Map<String, Object> kwargs) {
        return switch (name) {
            case "startswith", "endswith" -> {
                Object affix = new Signature(name, 1, "prefix").bind(args, kwargs)[0];
                List<Object> options = switch (affix) {
                    case String one -> List.of(one);
                    case PyTuple t -> t.items();
                    case null, default -> throw Signature.typeError(
                            name + " first arg must be str or a tuple of str, not " + Values.typeName(affix));
                };
                boolean match = false;
                for (Object option : options) {
                    if (!(option instanceof String o)) {
                        throw Signature.typeError("tuple for " + name + " must only contain str, not " + Values.typeName(option));
                    }
                    match |= name.equals("startswith") ? s.startsWith(o) : s.endsWith(o);
                }
                yield match;
            }
            case "strip", "lstrip", "rstrip" -> {
                Object chars = new Signature(name, 0, "chars").bind(args, kwargs, (Object) null)[0];
                if (chars != null && !(chars instanceof String)) {
                    throw Signature.typeError(name + " arg must be None or str");
                }
                String set = (String) chars;
                yield switch (name) {
                    case "strip" -> PyStrings.strip(s, set);
                    case "lstrip" -> PyStrings.lstrip(s, set);
                    default -> PyStrings.rstrip(s, set);
                };
            }
            case "split", "rsplit" -> {
                Object[] a = new Signature(name, 0, "sep", "maxsplit").bind(args, kwargs, null, -1L);
                if (a[0] != null && !(a[0] instanceof String)) {
                    throw Signature.typeError("must be str or None, not " + Values.typeName(a[0]));
                }
                long maxsplit = integer(a[1]);
                yield name.equals("split") ? PyStrings.split(s, (String) a[0], maxsplit) : PyStrings.rsplit(s, (String) a[0], maxsplit);
            }
            case "replace" -> {
                Object[] a = new Signature(name, 2, "old", "new", "count").bind(args, kwargs, -1L);
                yield PyStrings.replace(s, string(a[0]), string(a[1]), integer(a[2]));
            }
            case "upper", "lower", "title", "capitalize" -> {
                new Signature(name, 0).bind(args, kwargs);
                yield switch (name) {
                    case "upper" -> PyStrings.upper(s);
                    case "lower" -> PyStrings.lower(s);
                    case "title" -> PyStrings.title(s);
                    default -> PyStrings.capitalize(s);
                };
            }
            case "join" -> {
                Object items = new Signature(name, 1, "iterable").bind(args, kwargs)[0];
                StringBuilder sb = new StringBuilder();
                int i = 0;
                for (var it = Values.iterate(items); it.hasNext(); i++) {
                    Object item = it.next();
                    if (!(item instanceof String part)) {
                        throw Signature.typeError("sequence item " + i + ": expected str instance, " + Values.typeName(item) + " found");
                    }
                    sb.append(i == 0 ? "" : s).append(part);
                }
                yield sb.toString();
            }
            case "find" -> {
                String sub = string(new Signature(name, 1, "sub").bind(args, kwargs)[0]);
                int at = s.indexOf(sub);
                yield at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            default -> {
                String sub = string(new Signature(name, 1, "sub").bind(args, kwargs)[0]);
                yield (long) (sub.isEmpty() ? s.codePointCount(0, s.length()) + 1 : PyStrings.split(s, sub, -1).size() - 1);
            }
        };
    }

    private static Object callDict(Map<?, ?> m, String name, List<Object> args, Map<String, Object> kwargs) {
        return switch (name) {
            case "items" -> {
                new Signature(name, 0).bind(args, kwargs);
                List<Object> items = new ArrayList<>();
                m.forEach((k, v) -> items.add(PyTuple.of(k, v)));
                yield items;
            }
            case "keys" -> {
                new Signature(name, 0).bind(args, kwargs);
                yield new ArrayList<Object>(m.keySet());
            }
            case "values" -> {
                new Signature(name, 0).bind(args, kwargs);
                yield new ArrayList<Object>(m.values());
            }
            default -> {
                Object[] a = new Signature(name, 1, "key", "default").bind(args, kwargs, (Object) null);
                yield Values.containsKey(m, a[0]) ? Values.get(m, a[0]) : a[1];
            }
        };
    }

    private static String string(Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw Signature.typeError("must be str, not " + Values.typeName(v));
    }

    static long integer(Object v) {
        if (Values.isInteger(v)) {
            return Values.asLong(v);
        }
        throw Signature.typeError("'" + Values.typeName(v) + "' object cannot be interpreted as an integer");
    }
}

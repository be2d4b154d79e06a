package dev.jseek.template;

import java.util.List;
import java.util.Map;

/** jinja2's built-in tests ({@code x is defined}, {@code x is string}, {@code x is equalto y}, ...). */
final class Tests {

    private Tests() {
    }

    @FunctionalInterface
    interface Test {
        boolean test(Object value, List<Object> args);
    }

    private static final Map<String, Test> TESTS = Map.ofEntries(
            Map.entry("defined", (v, a) -> noArgs("defined", a) && !(v instanceof Undefined)),
            Map.entry("undefined", (v, a) -> noArgs("undefined", a) && v instanceof Undefined),
            Map.entry("none", (v, a) -> noArgs("none", a) && v == null),
            Map.entry("boolean", (v, a) -> noArgs("boolean", a) && v instanceof Boolean),
            Map.entry("false", (v, a) -> noArgs("false", a) && Boolean.FALSE.equals(v)),
            Map.entry("true", (v, a) -> noArgs("true", a) && Boolean.TRUE.equals(v)),
            Map.entry("integer", (v, a) -> noArgs("integer", a) && v instanceof Long),
            Map.entry("float", (v, a) -> noArgs("float", a) && v instanceof Double),
            Map.entry("number", (v, a) -> noArgs("number", a) && Values.isNumber(v)),
            Map.entry("string", (v, a) -> noArgs("string", a) && v instanceof String),
            Map.entry("mapping", (v, a) -> noArgs("mapping", a) && v instanceof Map),
            Map.entry("iterable", (v, a) -> noArgs("iterable", a) && Values.isIterable(v)),
            Map.entry("sequence", (v, a) -> noArgs("sequence", a)
                    && (v instanceof String || v instanceof List || v instanceof PyTuple || v instanceof Map)),
            Map.entry("callable", (v, a) -> noArgs("callable", a) && v instanceof TemplateCallable),
            Map.entry("sameas", (v, a) -> sameAs(v, oneArg("sameas", a))),
            Map.entry("eq", (v, a) -> Values.equal(v, oneArg("eq", a))),
            Map.entry("equalto", (v, a) -> Values.equal(v, oneArg("equalto", a))),
            Map.entry("==", (v, a) -> Values.equal(v, oneArg("==", a))),
            Map.entry("ne", (v, a) -> !Values.equal(v, oneArg("ne", a))),
            Map.entry("!=", (v, a) -> !Values.equal(v, oneArg("!=", a))),
            Map.entry("lt", (v, a) -> Values.compare(v, oneArg("lt", a), "<") < 0),
            Map.entry("lessthan", (v, a) -> Values.compare(v, oneArg("lessthan", a), "<") < 0),
            Map.entry("<", (v, a) -> Values.compare(v, oneArg("<", a), "<") < 0),
            Map.entry("le", (v, a) -> Values.compare(v, oneArg("le", a), "<=") <= 0),
            Map.entry("<=", (v, a) -> Values.compare(v, oneArg("<=", a), "<=") <= 0),
            Map.entry("gt", (v, a) -> Values.compare(v, oneArg("gt", a), ">") > 0),
            Map.entry("greaterthan", (v, a) -> Values.compare(v, oneArg("greaterthan", a), ">") > 0),
            Map.entry(">", (v, a) -> Values.compare(v, oneArg(">", a), ">") > 0),
            Map.entry("ge", (v, a) -> Values.compare(v, oneArg("ge", a), ">=") >= 0),
            Map.entry(">=", (v, a) -> Values.compare(v, oneArg(">=", a), ">=") >= 0),
            Map.entry("in", (v, a) -> Operators.contains(oneArg("in", a), v)),
            Map.entry("odd", (v, a) -> noArgs("odd", a) && Math.floorMod(Methods.integer(v), 2) == 1),
            Map.entry("even", (v, a) -> noArgs("even", a) && Math.floorMod(Methods.integer(v), 2) == 0),
            Map.entry("divisibleby", (v, a) -> Math.floorMod(Methods.integer(v), Methods.integer(oneArg("divisibleby", a))) == 0),
            Map.entry("lower", (v, a) -> noArgs("lower", a) && isCase(Values.str(v), false)),
            Map.entry("upper", (v, a) -> noArgs("upper", a) && isCase(Values.str(v), true)));

    /** The test of that name, or null when jinja2 has none. */
    static Test named(String name) {
        return TESTS.get(name);
    }

    private static boolean noArgs(String test, List<Object> args) {
        if (!args.isEmpty()) {
            throw Signature.typeError("test '" + test + "' takes no arguments (" + args.size() + " given)");
        }
        return true;
    }

    private static Object oneArg(String test, List<Object> args) {
        if (args.size() != 1) {
            throw Signature.typeError("test '" + test + "' takes exactly one argument (" + args.size() + " given)");
        }
        return args.getFirst();
    }

    /** Python's {@code is}: containers by identity; None, booleans, ints and strings by value, as CPython caches them. */
    private static boolean sameAs(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof Boolean || a instanceof Long || a instanceof String) {
            return a.getClass() == b.getClass() && a.equals(b);
        }
        return a == b;
    }

    /** Python's {@code str.islower/isupper}: at least one cased character and none of the other case. */
    private static boolean isCase(String s, boolean upper) {
        boolean cased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (upper ? Character.isLowerCase(cp) || Character.isTitleCase(cp) : Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
                return false;
            }
            cased |= upper ? Character.isUpperCase(cp) : Character.isLowerCase(cp);
        }
        return cased;
    }
}

package dev.jseek.template;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's operators on template values: arithmetic with int/float promotion, {@code +} on
 * strings, lists and tuples (never str + int), comparisons and {@code in}, with Python's
 * TypeError messages. Any Undefined operand fails with its own message, as jinja2's does.
 */
final class Operators {

    private Operators() {
    }

    static Object binary(String operator, Object a, Object b) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        return switch (operator) {
            case "+" -> add(a, b);
            case "-" -> arithmetic(operator, a, b, Math::subtractExact, (x, y) -> x - y);
            case "*" -> multiply(a, b);
            case "/" -> {
                requireNumbers(operator, a, b);
                if (Values.asDouble(b) == 0) {
                    throw zeroDivision(Values.isInteger(a) && Values.isInteger(b) ? "division by zero" : "float division by zero");
                }
                yield Values.asDouble(a) / Values.asDouble(b);
            }
            case "//" -> {
                requireNumbers(operator, a, b);
                if (Values.asDouble(b) == 0) {
                    throw zeroDivision(Values.isInteger(a) && Values.isInteger(b) ? "integer division or modulo by zero" : "float floor division by zero");
                }
                yield arithmetic(operator, a, b, Math::floorDiv, (x, y) -> Math.floor(x / y));
            }
            case "%" -> {
                if (a instanceof String) {
                    throw Signature.typeError("printf-style string formatting ('%' on a string) is not supported");
                }
                requireNumbers(operator, a, b);
                if (Values.asDouble(b) == 0) {
                    throw zeroDivision(Values.isInteger(a) && Values.isInteger(b) ? "integer division or modulo by zero" : "float modulo");
                }
                yield arithmetic(operator, a, b, Math::floorMod, (x, y) -> {
                    double r = x % y;
                    return r != 0 && (r < 0) != (y < 0) ? r + y : r;
                });
            }
            case "**" -> power(a, b);
            default -> throw new IllegalStateException("unknown operator " + operator);
        };
    }

    private static Object add(Object a, Object b) {
        if (a instanceof String s && b instanceof String t) {
            return s + t;
        }
        if (a instanceof List<?> l && b instanceof List<?> m) {
            List<Object> joined = new ArrayList<>(l);
            joined.addAll(m);
            return joined;
        }
        if (a instanceof PyTuple l && b instanceof PyTuple m) {
            List<Object> joined = new ArrayList<>(l.items());
            joined.addAll(m.items());
            return new PyTuple(joined);
        }
        if (a instanceof String || a instanceof List || a instanceof PyTuple) {
            String type = Values.typeName(a);
            throw Signature.typeError("can only concatenate " + type + " (not \"" + Values.typeName(b) + "\") to " + type);
        }
        return arithmetic("+", a, b, Math::addExact, Double::sum);
    }

    private static Object multiply(Object a, Object b) {
        if (Values.isInteger(b) && (a instanceof String || a instanceof List || a instanceof PyTuple)) {
            return repeat(a, Values.asLong(b));
        }
        if (Values.isInteger(a) && (b instanceof String || b instanceof List || b instanceof PyTuple)) {
            return repeat(b, Values.asLong(a));
        }
        return arithmetic("*", a, b, Math::multiplyExact, (x, y) -> x * y);
    }

    private static Object repeat(Object sequence, long times) {
        int n = (int) Math.max(0, Math.min(times, Integer.MAX_VALUE));
        return switch (sequence) {
            case String s -> s.repeat(n);
            case PyTuple t -> new PyTuple(repeatList(t.items(), n));
            default -> repeatList((List<?>) sequence, n);
        };
    }

    private static List<Object> repeatList(List<?> items, int n) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.addAll(items);
        }
        return out;
    }

    private static Object power(Object a, Object b) {
        requireNumbers("** or pow()", a, b);
        if (Values.isInteger(a) && Values.isInteger(b) && Values.asLong(b) >= 0) {
            long base = Values.asLong(a);
            long result = 1;
            for (long e = Values.asLong(b); e > 0; e--) {
                result = Math.multiplyExact(result, base);
            }
            return result;
        }
        return Math.pow(Values.asDouble(a), Values.asDouble(b));
    }

    private interface LongOp {
        long apply(long a, long b);
    }

    private interface DoubleOp {
        double apply(double a, double b);
    }

    private static Object arithmetic(String operator, Object a, Object b, LongOp onInts, DoubleOp onFloats) {
        requireNumbers(operator, a, b);
        if (Values.isInteger(a) && Values.isInteger(b)) {
            try {
                return onInts.apply(Values.asLong(a), Values.asLong(b));
            } catch (ArithmeticException e) {
                throw new TemplateException(TemplateException.Kind.OVERFLOW, "integer result does not fit in 64 bits");
            }
        }
        return onFloats.apply(Values.asDouble(a), Values.asDouble(b));
    }

    private static void requireNumbers(String operator, Object a, Object b) {
        if (!Values.isNumber(a) || !Values.isNumber(b)) {
            throw Signature.typeError("unsupported operand type(s) for " + operator + ": '" + Values.typeName(a) + "' and '"
                    + Values.typeName(b) + "'");
        }
    }

    private static TemplateException zeroDivision(String message) {
        return new TemplateException(TemplateException.Kind.ZERO_DIVISION, message);
    }

    static Object negate(Object v) {
        return switch (v) {
            case Long l -> {
                if (l == Long.MIN_VALUE) {
                    throw new TemplateException(TemplateException.Kind.OVERFLOW, "integer result does not fit in 64 bits");
                }
                yield -l;
            }
            case Boolean b -> b ? -1L : 0L;
            case Double d -> -d;
            case Undefined u -> throw u.error();
            case null, default -> throw Signature.typeError("bad operand type for unary -: '" + Values.typeName(v) + "'");
        };
    }

    static Object plus(Object v) {
        return switch (v) {
            case Long l -> l;
            case Boolean b -> b ? 1L : 0L;
            case Double d -> d;
            case Undefined u -> throw u.error();
            case null, default -> throw Signature.typeError("bad operand type for unary +: '" + Values.typeName(v) + "'");
        };
    }

    /** One link of a comparison chain. */
    static boolean compare(String operator, Object a, Object b) {
        return switch (operator) {
            case "==" -> Values.equal(a, b);
            case "!=" -> !Values.equal(a, b);
            case "<" -> Values.compare(a, b, operator) < 0;
            case "<=" -> Values.compare(a, b, operator) <= 0;
            case ">" -> Values.compare(a, b, operator) > 0;
            case ">=" -> Values.compare(a, b, operator) >= 0;
            case "in" -> contains(b, a);
            case "not in" -> !contains(b, a);
            default -> throw new IllegalStateException("unknown comparison " + operator);
        };
    }

    /** Python's {@code item in container}. */
    static boolean contains(Object container, Object item) {
        switch (container) {
            case String s -> {
                if (!(item instanceof String sub)) {
                    if (item instanceof Undefined u) {
                        throw u.error();
                    }
                    throw Signature.typeError("'in <string>' requires string as left operand, not " + Values.typeName(item));
                }
                return s.contains(sub);
            }
            case Map<?, ?> m -> {
                if (item instanceof List || item instanceof Map) {
                    throw Signature.typeError("unhashable type: '" + Values.typeName(item) + "'");
                }
                return Values.containsKey(m, item);
            }
            case List<?> l -> {
                return l.stream().anyMatch(x -> Values.equal(x, item));
            }
            case PyTuple t -> {
                return t.items().stream().anyMatch(x -> Values.equal(x, item));
            }
            case Generator g -> {
                for (Iterator<Object> it = g.iterator(); it.hasNext(); ) {
                    if (Values.equal(it.next(), item)) {
                        return true;
                    }
                }
                return false;
            }
            case Undefined u -> {
                return false;
            }
            case null, default -> throw Signature.typeError("argument of type '" + Values.typeName(container) + "' is not iterable");
        }
    }
}

package dev.jseek.template;

import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed template: walks the statements, evaluates expressions over the value model and
 * keeps jinja2's scoping (a for loop's body and a macro get their own scope; if does not; only a
 * namespace carries changes out of a loop iteration).
 */
final class Interpreter {

    /** transformers' sandbox cap on {@code range()}. */
    private static final int MAX_RANGE = 100_000;

    enum Flow { NORMAL, BREAK, CONTINUE }

    /** Variables visible at one point of the template; lookups fall through to the enclosing scope. */
    static final class Scope {

        private static final Object MISSING = new Object();

        private final Scope parent;
        private final Map<String, Object> variables = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        /** The value of {@code name}, or Undefined when no enclosing scope has it. */
        Object lookup(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                Object v = s.variables.getOrDefault(name, MISSING);
                if (v != MISSING) {
                    return v;
                }
            }
            return Undefined.variable(name);
        }

        void set(String name, Object value) {
            variables.put(name, value);
        }
    }

    /** A global function, printed by its name (as a Python function prints, minus the address). */
    private record GlobalFunction(String name, TemplateCallable body) implements TemplateCallable {

        @Override
        public Object call(List<Object> args, Map<String, Object> kwargs) {
            return body.call(args, kwargs);
        }

        @Override
        public String toString() {
            return "<function " + name + ">";
        }
    }

    private final Clock clock;

    private Interpreter(Clock clock) {
        this.clock = clock;
    }

    static String render(List<Stmt> body, Map<String, ?> variables, Clock clock) {
        Interpreter interpreter = new Interpreter(clock);
        Scope root = new Scope(interpreter.globals());
        variables.forEach((name, value) -> root.set(name, Values.fromJava(value)));
        StringBuilder out = new StringBuilder();
        try {
            interpreter.exec(body, root, out);
        } catch (StackOverflowError e) {
            // A macro that calls itself without end; templates come from model files, so this is input, not a bug.
            throw new TemplateException(TemplateException.Kind.RECURSION, "maximum recursion depth exceeded");
        }
        return out.toString();
    }

    /** The functions every template can call: jinja2's defaults and transformers' additions. */
    private Scope globals() {
        Scope globals = new Scope(null);
        define(globals, "range", Interpreter::range);
        define(globals, "dict", (args, kwargs) -> {
            Map<Object, Object> dict = new LinkedHashMap<>();
            if (args.size() > 1 || !args.isEmpty() && !(args.getFirst() instanceof Map)) {
                throw Signature.typeError("dict() takes at most one mapping argument");
            }
            if (!args.isEmpty()) {
                dict.putAll((Map<?, ?>) args.getFirst());
            }
            dict.putAll(kwargs);
            return dict;
        });
        define(globals, "namespace", (args, kwargs) -> {
            Namespace ns = new Namespace();
            for (Object initial : args) {
                if (!(initial instanceof Map<?, ?> m)) {
                    throw Signature.typeError("namespace() takes mappings or keyword arguments");
                }
                m.forEach((k, v) -> ns.attributes.put(Values.str(k), v));
            }
            ns.attributes.putAll(kwargs);
            return ns;
        });
        define(globals, "raise_exception", (args, kwargs) -> {
            Object message = new Signature("raise_exception", 1, "message").bind(args, kwargs)[0];
            throw new TemplateException(TemplateException.Kind.RAISED, Values.str(message));
        });
        define(globals, "strftime_now", (args, kwargs) -> {
            Object format = new Signature("strftime_now", 1, "format").bind(args, kwargs)[0];
            return Strftime.format(LocalDateTime.now(clock), Values.str(format));
        });
        return globals;
    }

    private static void define(Scope globals, String name, TemplateCallable body) {
        globals.set(name, new GlobalFunction(name, body));
    }

    private static Object range(List<Object> args, Map<String, Object> kwargs) {
        if (!kwargs.isEmpty() || args.isEmpty() || args.size() > 3) {
            throw Signature.typeError("range expected 1 to 3 integer arguments");
        }
        long start = args.size() == 1 ? 0 : Methods.integer(args.get(0));
        long stop = Methods.integer(args.get(args.size() == 1 ? 0 : 1));
        long step = args.size() == 3 ? Methods.integer(args.get(2)) : 1;
        if (step == 0) {
            throw new TemplateException(TemplateException.Kind.VALUE, "range() arg 3 must not be zero");
        }
        long count = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
        if (count > MAX_RANGE) {
            throw new TemplateException(TemplateException.Kind.OVERFLOW,
                    "Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE + ").");
        }
        List<Object> numbers = new ArrayList<>();
        for (long i = 0, v = start; i < count; i++, v += step) {
            numbers.add(v);
        }
        return numbers;
    }

    // ---- statements

    Flow exec(List<Stmt> body, Scope scope, StringBuilder out) {
        for (Stmt stmt : body) {
            Flow flow;
            try {
                flow = execOne(stmt, scope, out);
            } catch (TemplateException e) {
                throw e.at(lineOf(stmt));
            }
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    private static int lineOf(Stmt stmt) {
        return switch (stmt) {
            case Stmt.Text t -> 0;
            case Stmt.Output o -> o.line();
            case Stmt.If i -> i.line();
            case Stmt.For f -> f.line();
            case Stmt.Assign a -> a.line();
            case Stmt.AssignBlock a -> a.line();
            case Stmt.MacroDef m -> m.line();
            case Stmt.Break b -> b.line();
            case Stmt.Continue c -> c.line();
            case Stmt.ScopedBlock s -> s.line();
        };
    }

    private Flow execOne(Stmt stmt, Scope scope, StringBuilder out) {
        switch (stmt) {
            case Stmt.Text t -> out.append(t.text());
            case Stmt.Output o -> out.append(Values.str(eval(o.expr(), scope)));
            case Stmt.If i -> {
                for (int k = 0; k < i.tests().size(); k++) {
                    if (Values.truthy(eval(i.tests().get(k), scope))) {
                        return exec(i.bodies().get(k), scope, out);
                    }
                }
                return exec(i.orElse(), scope, out);
            }
            case Stmt.For f -> {
                return execFor(f, scope, out);
            }
            case Stmt.Assign a -> assign(a.target(), eval(a.value(), scope), scope);
            case Stmt.AssignBlock a -> {
                StringBuilder captured = new StringBuilder();
                exec(a.body(), new Scope(scope), captured);
                scope.set(a.name(), captured.toString());
            }
            case Stmt.MacroDef m -> scope.set(m.name(), new Macro(m, this, scope));
            case Stmt.Break b -> {
                return Flow.BREAK;
            }
            case Stmt.Continue c -> {
                return Flow.CONTINUE;
            }
            case Stmt.ScopedBlock s -> {
                return exec(s.body(), new Scope(scope), out);
            }
        }
        return Flow.NORMAL;
    }

    private Flow execFor(Stmt.For f, Scope scope, StringBuilder out) {
        List<Object> items = Values.toList(eval(f.iterable(), scope));
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope test = new Scope(scope);
                assign(f.target(), item, test);
                if (Values.truthy(eval(f.filter(), test))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            return exec(f.orElse(), new Scope(scope), out);
        }
        LoopInfo loop = new LoopInfo(items);
        for (int i = 0; i < items.size(); i++) {
            Scope iteration = new Scope(scope);
            assign(f.target(), items.get(i), iteration);
            loop.advanceTo(i);
            iteration.set("loop", loop);
            if (exec(f.body(), iteration, out) == Flow.BREAK) {
                break;
            }
        }
        return Flow.NORMAL;
    }

    private void assign(Stmt.Target target, Object value, Scope scope) {
        switch (target) {
            case Stmt.NameTarget n -> scope.set(n.name(), value);
            case Stmt.TupleTarget t -> {
                List<Object> parts = Values.toList(value);
                int expected = t.names().size();
                if (parts.size() < expected) {
                    throw new TemplateException(TemplateException.Kind.VALUE,
                            "not enough values to unpack (expected " + expected + ", got " + parts.size() + ")");
                }
                if (parts.size() > expected) {
                    throw new TemplateException(TemplateException.Kind.VALUE, "too many values to unpack (expected " + expected + ")");
                }
                for (int i = 0; i < expected; i++) {
                    scope.set(t.names().get(i), parts.get(i));
                }
            }
            case Stmt.NamespaceTarget n -> {
                if (!(scope.lookup(n.namespace()) instanceof Namespace ns)) {
                    throw new TemplateException(TemplateException.Kind.RUNTIME, "cannot assign attribute on non-namespace object");
                }
                ns.attributes.put(n.attribute(), value);
            }
        }
    }

    // ---- expressions

    Object eval(Expr e, Scope scope) {
        try {
            return evaluate(e, scope);
        } catch (TemplateException error) {
            throw error.at(e.line());
        }
    }

    private Object evaluate(Expr e, Scope scope) {
        return switch (e) {
            case Expr.Const c -> c.value();
            case Expr.Name n -> scope.lookup(n.name());
            case Expr.GetAttr g -> Access.attribute(eval(g.target(), scope), g.attribute());
            case Expr.GetItem g -> Access.item(eval(g.target(), scope), eval(g.key(), scope));
            case Expr.Slice s -> Access.slice(eval(s.target(), scope), evalOptional(s.start(), scope), evalOptional(s.stop(), scope),
                    evalOptional(s.step(), scope));
            case Expr.ListLiteral l -> evalAll(l.items(), scope);
            case Expr.TupleLiteral t -> new PyTuple(evalAll(t.items(), scope));
            case Expr.DictLiteral d -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object key = eval(d.keys().get(i), scope);
                    if (key instanceof List || key instanceof Map || key instanceof Undefined) {
                        throw Signature.typeError("unhashable type: '" + Values.typeName(key) + "'");
                    }
                    Values.putKey(dict, key, eval(d.values().get(i), scope));
                }
                yield dict;
            }
            case Expr.Unary u -> {
                Object operand = eval(u.operand(), scope);
                yield switch (u.operator()) {
                    case "not" -> !Values.truthy(operand);
                    case "-" -> Operators.negate(operand);
                    default -> Operators.plus(operand);
                };
            }
            case Expr.Binary b -> Operators.binary(b.operator(), eval(b.left(), scope), eval(b.right(), scope));
            case Expr.Logical l -> {
                Object left = eval(l.left(), scope);
                yield Values.truthy(left) == l.isAnd() ? eval(l.right(), scope) : left;
            }
            case Expr.Concat c -> {
                StringBuilder sb = new StringBuilder();
                c.parts().forEach(part -> sb.append(Values.str(eval(part, scope))));
                yield sb.toString();
            }
            case Expr.Compare c -> {
                Object left = eval(c.first(), scope);
                for (int i = 0; i < c.operators().size(); i++) {
                    Object right = eval(c.operands().get(i), scope);
                    if (!Operators.compare(c.operators().get(i), left, right)) {
                        yield false;
                    }
                    left = right;
                }
                yield true;
            }
            case Expr.Conditional c -> {
                if (Values.truthy(eval(c.test(), scope))) {
                    yield eval(c.then(), scope);
                }
                yield c.otherwise() != null ? eval(c.otherwise(), scope) : Undefined.withHint("the inline if-expression on line "
                        + c.line() + " evaluated to false and no else section was defined.");
            }
            case Expr.FilterCall f -> {
                if (f.filter() == null) {
                    throw new TemplateException(TemplateException.Kind.RUNTIME, "No filter named '" + f.name() + "' found.");
                }
                Object value = eval(f.target(), scope);
                yield f.filter().apply(value, evalAll(f.arguments().positional(), scope), evalKeywords(f.arguments(), scope));
            }
            case Expr.TestCall t -> {
                if (t.test() == null) {
                    throw new TemplateException(TemplateException.Kind.RUNTIME, "No test named '" + t.name() + "' found.");
                }
                if (!t.arguments().keywords().isEmpty()) {
                    throw Signature.typeError("test '" + t.name() + "' takes no keyword arguments");
                }
                Object value = eval(t.target(), scope);
                yield t.test().test(value, evalAll(t.arguments().positional(), scope));
            }
            case Expr.Call c -> {
                Object callee = eval(c.callee(), scope);
                List<Object> args = evalAll(c.arguments().positional(), scope);
                Map<String, Object> kwargs = evalKeywords(c.arguments(), scope);
                yield switch (callee) {
                    case TemplateCallable f -> f.call(args, kwargs);
                    case Undefined u -> throw u.error();
                    case null, default -> throw Signature.typeError("'" + Values.typeName(callee) + "' object is not callable");
                };
            }
        };
    }

    private Object evalOptional(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private List<Object> evalAll(List<Expr> exprs, Scope scope) {
        List<Object> values = new ArrayList<>(exprs.size());
        for (Expr e : exprs) {
            values.add(eval(e, scope));
        }
        return values;
    }

    private Map<String, Object> evalKeywords(Expr.Arguments arguments, Scope scope) {
        if (arguments.keywords().isEmpty()) {
            return Map.of();
        }
        Map<String, Object> kwargs = new LinkedHashMap<>();
        arguments.keywords().forEach((name, e) -> kwargs.put(name, eval(e, scope)));
        return kwargs;
    }
}

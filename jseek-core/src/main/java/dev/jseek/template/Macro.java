package dev.jseek.template;

import java.util.List;
import java.util.Map;

/** A macro defined by the template: called like a function, it returns its rendered body. */
final class Macro implements TemplateCallable {

    private final Stmt.MacroDef definition;
    private final Interpreter interpreter;
    /** The scope the macro was defined in; its body sees that scope's variables as they are when called. */
    private final Interpreter.Scope closure;

    Macro(Stmt.MacroDef definition, Interpreter interpreter, Interpreter.Scope closure) {
        this.definition = definition;
        this.interpreter = interpreter;
        this.closure = closure;
    }

    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
        List<String> params = definition.params();
        if (args.size() > params.size()) {
            throw Signature.typeError("macro '" + definition.name() + "' takes not more than " + params.size() + " argument(s)");
        }
        for (String key : kwargs.keySet()) {
            if (!params.contains(key)) {
                throw Signature.typeError("macro '" + definition.name() + "' takes no keyword argument '" + key + "'");
            }
        }
        Interpreter.Scope scope = new Interpreter.Scope(closure);
        for (int i = 0; i < params.size(); i++) {
            String param = params.get(i);
            Expr fallback = definition.defaults().get(i);
            Object value;
            if (i < args.size()) {
                if (kwargs.containsKey(param)) {
                    throw Signature.typeError("macro '" + definition.name() + "' got multiple values for argument '" + param + "'");
                }
                value = args.get(i);
            } else if (kwargs.containsKey(param)) {
                value = kwargs.get(param);
            } else if (fallback != null) {
                value = interpreter.eval(fallback, scope);
            } else {
                value = Undefined.withHint("parameter '" + param + "' was not provided");
            }
            scope.set(param, value);
        }
        StringBuilder out = new StringBuilder();
        interpreter.exec(definition.body(), scope, out);
        return out.toString();
    }

    @Override
    public String toString() {
        return "<Macro '" + definition.name() + "'>";
    }
}

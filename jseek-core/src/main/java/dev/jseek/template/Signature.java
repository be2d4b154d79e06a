package dev.jseek.template;

import java.util.List;
import java.util.Map;

/** The parameter list of a built-in filter, test or method, binding call arguments the Python way. */
final class Signature {

    private final String function;
    private final int required;
    private final List<String> params;

    /** The first {@code required} of {@code params} must be given; the others take defaults when bound. */
    Signature(String function, int required, String... params) {
        this.function = function;
        this.required = required;
        this.params = List.of(params);
    }

    /** One value per parameter; {@code defaults} supplies the optional ones, in order, when absent. */
    Object[] bind(List<Object> args, Map<String, Object> kwargs, Object... defaults) {
        if (args.size() > params.size()) {
            throw typeError(function + "() takes at most " + params.size() + " argument(s) (" + args.size() + " given)");
        }
        Object[] bound = new Object[params.size()];
        boolean[] given = new boolean[params.size()];
        for (int i = 0; i < args.size(); i++) {
            bound[i] = args.get(i);
            given[i] = true;
        }
        kwargs.forEach((key, value) -> {
            int i = params.indexOf(key);
            if (i < 0) {
                throw typeError(function + "() got an unexpected keyword argument '" + key + "'");
            }
            if (given[i]) {
                throw typeError(function + "() got multiple values for argument '" + key + "'");
            }
            bound[i] = value;
            given[i] = true;
        });
        for (int i = 0; i < bound.length; i++) {
            if (!given[i]) {
                if (i < required) {
                    throw typeError(function + "() missing required argument '" + params.get(i) + "'");
                }
                bound[i] = defaults[i - required];
            }
        }
        return bound;
    }

    static TemplateException typeError(String message) {
        return new TemplateException(TemplateException.Kind.TYPE, message);
    }
}

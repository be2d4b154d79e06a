package dev.jseek.template;

import java.util.Iterator;
import java.util.function.Supplier;

/**
 * What filters such as {@code map} and {@code reject} return in jinja2: a one-shot Python
 * generator. Its work, and any error in it, happens when it is first iterated, not when the filter
 * is applied. It can be iterated once or turned into a list, but has no length and is not JSON
 * serializable: templates that call {@code tojson} on it fail as they do under jinja2.
 */
final class Generator {

    private final Supplier<Iterator<Object>> source;
    private final String functionName;
    private Iterator<Object> items;

    Generator(Supplier<Iterator<Object>> source, String functionName) {
        this.source = source;
        this.functionName = functionName;
    }

    Iterator<Object> iterator() {
        if (items == null) {
            items = source.get();
        }
        return items;
    }

    @Override
    public String toString() {
        return "<generator object " + functionName + ">";
    }
}

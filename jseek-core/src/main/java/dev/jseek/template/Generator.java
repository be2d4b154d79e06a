package dev.jseek.template;

import java.util.Iterator;

/**
 * What filters such as {@code map} and {@code reject} return in jinja2: a one-shot Python generator.
 * It can be iterated (once) or turned into a list, but it has no length and is not JSON
 * serializable; templates that call {@code tojson} on it fail as they do under jinja2.
 */
final class Generator {

    private final Iterator<Object> items;
    private final String functionName;

    Generator(Iterator<Object> items, String functionName) {
        this.items = items;
        this.functionName = functionName;
    }

    Iterator<Object> iterator() {
        return items;
    }

    @Override
    public String toString() {
        return "<generator object " + functionName + ">";
    }
}

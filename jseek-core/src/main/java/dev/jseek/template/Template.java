package dev.jseek.template;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/** A Jinja template parsed once into a statement tree, rendered any number of times. */
final class Template {

    private final List<Stmt> body;

    private Template(List<Stmt> body) {
        this.body = body;
    }

    /** Parses the source; a syntax error or an unknown filter outside any if is a {@link TemplateException}. */
    static Template parse(String source) {
        return new Template(Parser.parse(source));
    }

    /**
     * Renders with the given variables (plain Java data: maps, lists, strings, numbers, booleans,
     * null for None); {@code clock} is what {@code strftime_now} reads.
     */
    String render(Map<String, ?> variables, Clock clock) {
        return Interpreter.render(body, variables, clock);
    }
}

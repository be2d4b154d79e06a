package dev.jseek.template;

/**
 * A template that cannot be parsed or rendered. The kind names the exception jinja2 raises in the
 * same situation, so a failure can be compared with the reference and read by someone who knows
 * Jinja; the line is the template line where it happened (0 when unknown).
 */
public final class TemplateException extends RuntimeException {

    /** The jinja2 / Python exception class each failure corresponds to. */
    public enum Kind {
        SYNTAX("TemplateSyntaxError"),
        ASSERTION("TemplateAssertionError"),
        UNDEFINED("UndefinedError"),
        TYPE("TypeError"),
        VALUE("ValueError"),
        ZERO_DIVISION("ZeroDivisionError"),
        OVERFLOW("OverflowError"),
        RUNTIME("TemplateRuntimeError"),
        SECURITY("SecurityError"),
        RECURSION("RecursionError"),
        /** {@code raise_exception(msg)} called by the template itself. */
        RAISED("TemplateError");

        private final String pythonName;

        Kind(String pythonName) {
            this.pythonName = pythonName;
        }

        public String pythonName() {
            return pythonName;
        }
    }

    private final Kind kind;
    private final String detail;
    private final int line;

    TemplateException(Kind kind, String detail) {
        this(kind, detail, 0);
    }

    TemplateException(Kind kind, String detail, int line) {
        super(kind.pythonName() + ": " + detail + (line > 0 ? " (template line " + line + ")" : ""));
        this.kind = kind;
        this.detail = detail;
        this.line = line;
    }

    public Kind kind() {
        return kind;
    }

    /** The message alone, as jinja2 words it (e.g. {@code 'x' is undefined}). */
    public String detail() {
        return detail;
    }

    public int line() {
        return line;
    }

    /** This error located at {@code line}, unless it already knows a more precise one. */
    TemplateException at(int line) {
        return this.line > 0 || line <= 0 ? this : new TemplateException(kind, detail, line);
    }
}

package dev.jseek.template;

/**
 * jinja2's default {@code Undefined}: what a missing variable, key, attribute or index evaluates to.
 * It prints as nothing, is false, iterates as empty and has length 0; anything else done with it
 * (an attribute, a call, arithmetic) fails with the message that says what was missing.
 */
final class Undefined {

    private final String message;
    private final TemplateException.Kind kind;

    private Undefined(String message, TemplateException.Kind kind) {
        this.message = message;
        this.kind = kind;
    }

    /** A variable name that is not defined. */
    static Undefined variable(String name) {
        return new Undefined("'" + name + "' is undefined", TemplateException.Kind.UNDEFINED);
    }

    /** A key, attribute or index that {@code owner} does not have. */
    static Undefined member(Object owner, Object key) {
        String message = key instanceof String s
                ? Values.repr(Values.objectTypeRepr(owner)) + " has no attribute " + Values.repr(s)
                : Values.objectTypeRepr(owner) + " has no element " + Values.repr(key);
        return new Undefined(message, TemplateException.Kind.UNDEFINED);
    }

    /** An undefined value with its own explanation (e.g. an empty sequence's first item). */
    static Undefined withHint(String hint) {
        return new Undefined(hint, TemplateException.Kind.UNDEFINED);
    }

    /** An attribute the sandbox refuses (a mutating method such as {@code list.append}). */
    static Undefined unsafe(Object owner, String attribute) {
        return new Undefined("access to attribute " + Values.repr(attribute) + " of " + Values.repr(Values.typeName(owner))
                + " object is unsafe.", TemplateException.Kind.SECURITY);
    }

    /** The error for using this value in a way that needs a real one. */
    TemplateException error() {
        return new TemplateException(kind, message);
    }

    @Override
    public String toString() {
        return "";
    }
}

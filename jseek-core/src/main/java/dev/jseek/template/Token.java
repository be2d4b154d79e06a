package dev.jseek.template;

/** One lexical token of a template: literal text, a tag delimiter, or a piece of an expression. */
record Token(Type type, Object value, int line) {

    enum Type {
        /** Literal template text, after whitespace control. */
        DATA,
        VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END,
        NAME, STRING, INTEGER, FLOAT,
        /** Punctuation and operators: {@code + - * / // % ** ~ ( ) [ ] { } == != < <= > >= = . : | ,}. */
        OPERATOR,
        EOF
    }

    boolean isOperator(String op) {
        return type == Type.OPERATOR && value.equals(op);
    }

    boolean isName(String name) {
        return type == Type.NAME && value.equals(name);
    }

    /** How the token reads in an error message. */
    String describe() {
        return switch (type) {
            case DATA -> "template data";
            case VAR_BEGIN -> "begin of print statement";
            case VAR_END -> "end of print statement";
            case BLOCK_BEGIN -> "begin of statement block";
            case BLOCK_END -> "end of statement block";
            case STRING -> "string";
            case EOF -> "end of template";
            default -> "'" + value + "'";
        };
    }
}

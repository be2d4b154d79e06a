package dev.jseek.template;

import java.util.List;
import java.util.Map;

/** The expression nodes of a parsed template; each knows its template line for error messages. */
sealed interface Expr {

    int line();

    record Const(Object value, int line) implements Expr {
    }

    record Name(String name, int line) implements Expr {
    }

    /** {@code target.attribute}: Python attribute first, then item (jinja2's getattr). */
    record GetAttr(Expr target, String attribute, int line) implements Expr {
    }

    /** {@code target[key]}: item first, then attribute (jinja2's getitem). */
    record GetItem(Expr target, Expr key, int line) implements Expr {
    }

    /** {@code target[start:stop:step]}; absent parts are null. */
    record Slice(Expr target, Expr start, Expr stop, Expr step, int line) implements Expr {
    }

    record ListLiteral(List<Expr> items, int line) implements Expr {
    }

    record TupleLiteral(List<Expr> items, int line) implements Expr {
    }

    record DictLiteral(List<Expr> keys, List<Expr> values, int line) implements Expr {
    }

    /** {@code -x}, {@code +x} or {@code not x}. */
    record Unary(String operator, Expr operand, int line) implements Expr {
    }

    /** Arithmetic: {@code + - * / // % **}. */
    record Binary(String operator, Expr left, Expr right, int line) implements Expr {
    }

    /** {@code and} / {@code or}, which return an operand as Python does. */
    record Logical(boolean isAnd, Expr left, Expr right, int line) implements Expr {
    }

    /** {@code a ~ b ~ c}: string concatenation of anything. */
    record Concat(List<Expr> parts, int line) implements Expr {
    }

    /** A comparison chain: {@code first op[0] operands[0] op[1] operands[1] ...}. */
    record Compare(Expr first, List<String> operators, List<Expr> operands, int line) implements Expr {
    }

    /** {@code then if test else otherwise}; otherwise is null when there is no else. */
    record Conditional(Expr test, Expr then, Expr otherwise, int line) implements Expr {
    }

    record Arguments(List<Expr> positional, Map<String, Expr> keywords) {
    }

    /** {@code target | name(args)}; filter is null for a name not known when parsing (fails when reached). */
    record FilterCall(Expr target, String name, Filters.Filter filter, Arguments arguments, int line) implements Expr {
    }

    /** {@code target is name args}; test is null for a name not known when parsing (fails when reached). */
    record TestCall(Expr target, String name, Tests.Test test, Arguments arguments, int line) implements Expr {
    }

    record Call(Expr callee, Arguments arguments, int line) implements Expr {
    }
}

package dev.jseek.template;

import java.util.List;

/** The statement nodes of a parsed template. */
sealed interface Stmt {

    /** Literal template text, whitespace control already applied. */
    record Text(String text) implements Stmt {
    }

    /** {@code {{ expr }}}. */
    record Output(Expr expr, int line) implements Stmt {
    }

    /** if / elif... with one body per test, then the else body (possibly empty). */
    record If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> orElse, int line) implements Stmt {
    }

    /** {@code for target in iterable [if filter]}, with the else body run when nothing was iterated. */
    record For(Target target, Expr iterable, Expr filter, List<Stmt> body, List<Stmt> orElse, int line) implements Stmt {
    }

    record Assign(Target target, Expr value, int line) implements Stmt {
    }

    /** {@code {% set name %}...{% endset %}}: the rendered body becomes the value. */
    record AssignBlock(String name, List<Stmt> body, int line) implements Stmt {
    }

    /** {@code {% macro name(params) %}}; defaults holds one expression per parameter, null where there is none. */
    record MacroDef(String name, List<String> params, List<Expr> defaults, List<Stmt> body, int line) implements Stmt {
    }

    record Break(int line) implements Stmt {
    }

    record Continue(int line) implements Stmt {
    }

    /** A body rendered in its own scope: transformers' {@code {% generation %}} tag marks assistant text this way. */
    record ScopedBlock(List<Stmt> body, int line) implements Stmt {
    }

    /** What {@code set} and {@code for} assign to. */
    sealed interface Target {
    }

    record NameTarget(String name) implements Target {
    }

    /** {@code k, v}: unpacks a sequence of exactly that many items. */
    record TupleTarget(List<String> names) implements Target {
    }

    /** {@code ns.attr}: the only assignment that reaches outside a loop iteration. */
    record NamespaceTarget(String namespace, String attribute) implements Target {
    }
}

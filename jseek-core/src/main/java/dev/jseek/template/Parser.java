package dev.jseek.template;

import dev.jseek.template.Expr.Arguments;
import dev.jseek.template.Token.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the statement tree from tokens with jinja2's grammar and operator precedence. Filter and
 * test names are resolved here, once; as in jinja2, an unknown one is an error right away unless
 * it sits inside an if statement or an inline if expression, where it only fails when reached.
 */
final class Parser {

    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final List<Token> tokens;
    private int index;
    /** Inside an if statement or inline if (jinja2's "soft frame"): unknown filters fail only when evaluated. */
    private boolean soft;
    private int loopDepth;
    private final List<UnknownName> unknownNames = new ArrayList<>();

    private static final class UnknownName {
        final String message;
        final int line;
        boolean soft;

        UnknownName(String message, int line, boolean soft) {
            this.message = message;
            this.line = line;
            this.soft = soft;
        }
    }

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Stmt> parse(String source) {
        Parser parser = new Parser(Lexer.tokenize(source));
        List<Stmt> body = parser.parseBody("template");
        for (UnknownName unknown : parser.unknownNames) {
            if (!unknown.soft) {
                throw new TemplateException(TemplateException.Kind.ASSERTION, unknown.message, unknown.line);
            }
        }
        return body;
    }

    // ---- statements

    /**
     * Statements up to a block tag named in {@code ends} (left unread but for its opening
     * delimiter) or, for the template itself, up to the end.
     */
    private List<Stmt> parseBody(String block, String... ends) {
        List<Stmt> body = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.type()) {
                case DATA -> {
                    next();
                    body.add(new Stmt.Text((String) t.value()));
                }
                case VAR_BEGIN -> {
                    next();
                    Expr e = parseTuple(true, false);
                    expect(Type.VAR_END);
                    body.add(new Stmt.Output(e, t.line()));
                }
                case BLOCK_BEGIN -> {
                    Token name = tokens.get(index + 1);
                    if (name.type() == Type.NAME && List.of(ends).contains((String) name.value())) {
                        next();
                        return body;
                    }
                    next();
                    body.add(parseStatement());
                }
                case EOF -> {
                    if (ends.length > 0) {
                        throw syntax("Unexpected end of template. Jinja was looking for the following tags: "
                                + String.join(" or ", List.of(ends).stream().map(e -> "'" + e + "'").toList())
                                + ". The innermost block that needs to be closed is '" + block + "'.", t);
                    }
                    return body;
                }
                default -> throw syntax("unexpected " + t.describe(), t);
            }
        }
    }

    private Stmt parseStatement() {
        Token tag = next();
        if (tag.type() != Type.NAME) {
            throw syntax("tag name expected", tag);
        }
        return switch ((String) tag.value()) {
            case "if" -> parseIf(tag);
            case "for" -> parseFor(tag);
            case "set" -> parseSet(tag);
            case "macro" -> parseMacro(tag);
            case "break", "continue" -> {
                if (loopDepth == 0) {
                    throw syntax("'" + tag.value() + "' outside of a loop", tag);
                }
                expect(Type.BLOCK_END);
                yield tag.value().equals("break") ? new Stmt.Break(tag.line()) : new Stmt.Continue(tag.line());
            }
            case "generation" -> {
                expect(Type.BLOCK_END);
                List<Stmt> body = inInnerFrame(() -> parseBody("generation", "endgeneration"));
                endTag();
                yield new Stmt.ScopedBlock(body, tag.line());
            }
            default -> throw syntax("Encountered unknown tag '" + tag.value() + "'.", tag);
        };
    }

    /**
     * Parses a part that jinja2 compiles in an inner frame (a loop or macro body, a block): not
     * soft, so unknown filters there fail at once. Restores the loop nesting afterwards.
     */
    private <T> T inInnerFrame(java.util.function.Supplier<T> part) {
        boolean savedSoft = soft;
        int savedLoops = loopDepth;
        soft = false;
        try {
            return part.get();
        } finally {
            soft = savedSoft;
            loopDepth = savedLoops;
        }
    }

    /** Reads the rest of a closing tag whose name was just consumed. */
    private void endTag() {
        next();
        expect(Type.BLOCK_END);
    }

    private Stmt parseIf(Token tag) {
        boolean savedSoft = soft;
        soft = true;
        List<Expr> tests = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> orElse = List.of();
        tests.add(parseTuple(false, false));
        expect(Type.BLOCK_END);
        while (true) {
            bodies.add(parseBody("if", "elif", "else", "endif"));
            String end = (String) next().value();
            if (end.equals("elif")) {
                tests.add(parseTuple(false, false));
                expect(Type.BLOCK_END);
                continue;
            }
            expect(Type.BLOCK_END);
            if (end.equals("else")) {
                orElse = parseBody("if", "endif");
                endTag();
            }
            break;
        }
        soft = savedSoft;
        return new Stmt.If(tests, bodies, orElse, tag.line());
    }

    private Stmt parseFor(Token tag) {
        Stmt.Target target = parseAssignTarget(false);
        expectName("in");
        Expr iterable = parseTuple(false, false);
        Expr filter = null;
        if (peek().isName("if")) {
            next();
            filter = inInnerFrame(this::parseExpression);
        }
        if (peek().isName("recursive")) {
            throw syntax("recursive loops are not supported", peek());
        }
        expect(Type.BLOCK_END);
        List<Stmt> body = inInnerFrame(() -> {
            loopDepth++;
            return parseBody("for", "endfor", "else");
        });
        List<Stmt> orElse = List.of();
        if (next().value().equals("else")) {
            expect(Type.BLOCK_END);
            orElse = inInnerFrame(() -> parseBody("for", "endfor"));
            next();
        }
        expect(Type.BLOCK_END);
        return new Stmt.For(target, iterable, filter, body, orElse, tag.line());
    }

    private Stmt parseSet(Token tag) {
        Stmt.Target target = parseAssignTarget(true);
        if (peek().isOperator("=")) {
            next();
            Expr value = parseTuple(true, false);
            expect(Type.BLOCK_END);
            return new Stmt.Assign(target, value, tag.line());
        }
        if (!(target instanceof Stmt.NameTarget(String name))) {
            throw syntax("a block assignment needs a plain name", tag);
        }
        expect(Type.BLOCK_END);
        List<Stmt> body = inInnerFrame(() -> parseBody("set", "endset"));
        endTag();
        return new Stmt.AssignBlock(name, body, tag.line());
    }

    private Stmt parseMacro(Token tag) {
        String name = (String) expect(Type.NAME).value();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        expectOperator("(");
        while (!peek().isOperator(")")) {
            if (!params.isEmpty()) {
                expectOperator(",");
            }
            Token param = expect(Type.NAME);
            params.add((String) param.value());
            if (peek().isOperator("=")) {
                next();
                defaults.add(parseExpression());
            } else if (defaults.stream().anyMatch(java.util.Objects::nonNull)) {
                throw syntax("non-default argument follows default argument", param);
            } else {
                defaults.add(null);
            }
        }
        next();
        expect(Type.BLOCK_END);
        List<Stmt> body = inInnerFrame(() -> {
            loopDepth = 0;
            return parseBody("macro", "endmacro");
        });
        endTag();
        return new Stmt.MacroDef(name, params, defaults, body, tag.line());
    }

    /** A name, {@code ns.attr} (for set), or names separated by commas. */
    private Stmt.Target parseAssignTarget(boolean allowNamespace) {
        Token first = expect(Type.NAME);
        if (allowNamespace && peek().isOperator(".")) {
            next();
            return new Stmt.NamespaceTarget((String) first.value(), (String) expect(Type.NAME).value());
        }
        if (!peek().isOperator(",")) {
            return new Stmt.NameTarget((String) first.value());
        }
        List<String> names = new ArrayList<>(List.of((String) first.value()));
        while (peek().isOperator(",")) {
            next();
            if (peek().type() != Type.NAME || peek().isName("in")) {
                break;
            }
            names.add((String) next().value());
        }
        return new Stmt.TupleTarget(names);
    }

    // ---- expressions, from loosest to tightest binding

    /**
     * Comma-separated expressions: one alone is itself, more (or a trailing comma) make a tuple.
     * Inside explicit parentheses {@code ()} is the empty tuple.
     */
    private Expr parseTuple(boolean withCondExpr, boolean explicitParentheses) {
        int line = peek().line();
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            if (isTupleEnd()) {
                break;
            }
            items.add(withCondExpr ? parseExpression() : parseOr());
            if (peek().isOperator(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.getFirst();
            }
            if (!explicitParentheses) {
                throw syntax("Expected an expression, got " + peek().describe(), peek());
            }
        }
        return new Expr.TupleLiteral(items, line);
    }

    private boolean isTupleEnd() {
        Token t = peek();
        return t.type() == Type.VAR_END || t.type() == Type.BLOCK_END || t.isOperator(")")
                || t.isName("in") || t.isName("if") || t.isName("recursive");
    }

    private Expr parseExpression() {
        int mark = unknownNames.size();
        Expr e = parseOr();
        while (peek().isName("if")) {
            Token t = next();
            Expr test = parseOr();
            Expr otherwise = null;
            if (peek().isName("else")) {
                next();
                otherwise = parseExpression();
            }
            e = new Expr.Conditional(test, e, otherwise, t.line());
            // An inline if is a soft frame for all of its parts, including the one parsed before the "if".
            unknownNames.subList(mark, unknownNames.size()).forEach(u -> u.soft = true);
        }
        return e;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (peek().isName("or")) {
            Token t = next();
            left = new Expr.Logical(false, left, parseAnd(), t.line());
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (peek().isName("and")) {
            Token t = next();
            left = new Expr.Logical(true, left, parseNot(), t.line());
        }
        return left;
    }

    private Expr parseNot() {
        if (peek().isName("not")) {
            Token t = next();
            return new Expr.Unary("not", parseNot(), t.line());
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = peek().line();
        Expr first = parseMath1();
        List<String> operators = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.type() == Type.OPERATOR && COMPARISONS.contains((String) t.value())) {
                next();
                operators.add((String) t.value());
            } else if (t.isName("in")) {
                next();
                operators.add("in");
            } else if (t.isName("not") && tokens.get(index + 1).isName("in")) {
                next();
                next();
                operators.add("not in");
            } else {
                break;
            }
            operands.add(parseMath1());
        }
        return operators.isEmpty() ? first : new Expr.Compare(first, operators, operands, line);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (peek().isOperator("+") || peek().isOperator("-")) {
            Token t = next();
            left = new Expr.Binary((String) t.value(), left, parseConcat(), t.line());
        }
        return left;
    }

    private Expr parseConcat() {
        int line = peek().line();
        List<Expr> parts = new ArrayList<>(List.of(parseMath2()));
        while (peek().isOperator("~")) {
            next();
            parts.add(parseMath2());
        }
        return parts.size() == 1 ? parts.getFirst() : new Expr.Concat(parts, line);
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (peek().isOperator("*") || peek().isOperator("/") || peek().isOperator("//") || peek().isOperator("%")) {
            Token t = next();
            left = new Expr.Binary((String) t.value(), left, parsePow(), t.line());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (peek().isOperator("**")) {
            Token t = next();
            left = new Expr.Binary("**", left, parseUnary(true), t.line());
        }
        return left;
    }

    /** A sign applies to the primary only; filters and tests then apply to the signed value ({@code -x|abs}). */
    private Expr parseUnary(boolean withFilters) {
        Token t = peek();
        Expr e;
        if (t.isOperator("-") || t.isOperator("+")) {
            next();
            e = new Expr.Unary((String) t.value(), parseUnary(false), t.line());
        } else {
            e = parsePrimary();
        }
        e = parsePostfix(e);
        return withFilters ? parseFilters(e) : e;
    }

    private Expr parsePrimary() {
        Token t = next();
        return switch (t.type()) {
            case NAME -> switch ((String) t.value()) {
                case "true", "True" -> new Expr.Const(true, t.line());
                case "false", "False" -> new Expr.Const(false, t.line());
                case "none", "None" -> new Expr.Const(null, t.line());
                default -> new Expr.Name((String) t.value(), t.line());
            };
            case STRING -> {
                StringBuilder s = new StringBuilder((String) t.value());
                while (peek().type() == Type.STRING) {
                    s.append((String) next().value());
                }
                yield new Expr.Const(s.toString(), t.line());
            }
            case INTEGER, FLOAT -> new Expr.Const(t.value(), t.line());
            case OPERATOR -> switch ((String) t.value()) {
                case "(" -> {
                    Expr e = parseTuple(true, true);
                    expectOperator(")");
                    yield e;
                }
                case "[" -> new Expr.ListLiteral(parseItems("]"), t.line());
                case "{" -> parseDict(t);
                default -> throw syntax("unexpected " + t.describe(), t);
            };
            default -> throw syntax("unexpected " + t.describe(), t);
        };
    }

    private List<Expr> parseItems(String close) {
        List<Expr> items = new ArrayList<>();
        while (!peek().isOperator(close)) {
            if (!items.isEmpty()) {
                expectOperator(",");
                if (peek().isOperator(close)) {
                    break;
                }
            }
            items.add(parseExpression());
        }
        next();
        return items;
    }

    private Expr parseDict(Token open) {
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!peek().isOperator("}")) {
            if (!keys.isEmpty()) {
                expectOperator(",");
                if (peek().isOperator("}")) {
                    break;
                }
            }
            keys.add(parseExpression());
            expectOperator(":");
            values.add(parseExpression());
        }
        next();
        return new Expr.DictLiteral(keys, values, open.line());
    }

    private Expr parsePostfix(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOperator(".")) {
                next();
                Token attr = next();
                if (attr.type() == Type.NAME) {
                    e = new Expr.GetAttr(e, (String) attr.value(), t.line());
                } else if (attr.type() == Type.INTEGER) {
                    e = new Expr.GetItem(e, new Expr.Const(attr.value(), attr.line()), t.line());
                } else {
                    throw syntax("expected name or number after '.'", attr);
                }
            } else if (t.isOperator("[")) {
                next();
                e = parseSubscript(e, t);
            } else if (t.isOperator("(")) {
                e = new Expr.Call(e, parseArguments(), t.line());
            } else {
                return e;
            }
        }
    }

    private Expr parseSubscript(Expr target, Token open) {
        Expr start = null;
        if (!peek().isOperator(":")) {
            start = parseExpression();
            if (!peek().isOperator(":")) {
                List<Expr> keys = new ArrayList<>(List.of(start));
                boolean isTuple = false;
                while (peek().isOperator(",")) {
                    next();
                    isTuple = true;
                    if (peek().isOperator("]")) {
                        break;
                    }
                    keys.add(parseExpression());
                }
                expectOperator("]");
                Expr key = isTuple ? new Expr.TupleLiteral(keys, open.line()) : start;
                return new Expr.GetItem(target, key, open.line());
            }
        }
        next();
        Expr stop = peek().isOperator(":") || peek().isOperator("]") ? null : parseExpression();
        Expr step = null;
        if (peek().isOperator(":")) {
            next();
            step = peek().isOperator("]") ? null : parseExpression();
        }
        expectOperator("]");
        return new Expr.Slice(target, start, stop, step, open.line());
    }

    private Arguments parseArguments() {
        expectOperator("(");
        List<Expr> positional = new ArrayList<>();
        Map<String, Expr> keywords = new LinkedHashMap<>();
        while (!peek().isOperator(")")) {
            if (!positional.isEmpty() || !keywords.isEmpty()) {
                expectOperator(",");
                if (peek().isOperator(")")) {
                    break;
                }
            }
            Token t = peek();
            if (t.isOperator("*") || t.isOperator("**")) {
                throw syntax("*args and **kwargs in calls are not supported", t);
            }
            if (t.type() == Type.NAME && tokens.get(index + 1).isOperator("=")) {
                next();
                next();
                if (keywords.put((String) t.value(), parseExpression()) != null) {
                    throw syntax("keyword argument repeated: " + t.value(), t);
                }
            } else {
                if (!keywords.isEmpty()) {
                    throw syntax("positional argument follows keyword argument", t);
                }
                positional.add(parseExpression());
            }
        }
        next();
        return new Arguments(positional, keywords);
    }

    private Expr parseFilters(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOperator("|")) {
                next();
                String name = dottedName();
                Arguments args = peek().isOperator("(") ? parseArguments() : new Arguments(List.of(), Map.of());
                Filters.Filter filter = Filters.named(name);
                if (filter == null) {
                    unknownNames.add(new UnknownName("No filter named '" + name + "'.", t.line(), soft));
                }
                e = new Expr.FilterCall(e, name, filter, args, t.line());
            } else if (t.isName("is")) {
                next();
                e = parseTest(e, t);
            } else if (t.isOperator("(")) {
                e = new Expr.Call(e, parseArguments(), t.line());
            } else {
                return e;
            }
        }
    }

    private Expr parseTest(Expr target, Token is) {
        boolean negated = false;
        if (peek().isName("not")) {
            next();
            negated = true;
        }
        String name = dottedName();
        Arguments args;
        Token t = peek();
        if (t.isOperator("(")) {
            args = parseArguments();
        } else if ((t.type() == Type.NAME || t.type() == Type.STRING || t.type() == Type.INTEGER || t.type() == Type.FLOAT
                || t.isOperator("[") || t.isOperator("{")) && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) {
                throw syntax("You cannot chain multiple tests with is", t);
            }
            args = new Arguments(List.of(parsePostfix(parsePrimary())), Map.of());
        } else {
            args = new Arguments(List.of(), Map.of());
        }
        Tests.Test test = Tests.named(name);
        if (test == null) {
            unknownNames.add(new UnknownName("No test named '" + name + "'.", is.line(), soft));
        }
        Expr e = new Expr.TestCall(target, name, test, args, is.line());
        return negated ? new Expr.Unary("not", e, is.line()) : e;
    }

    private String dottedName() {
        StringBuilder name = new StringBuilder((String) expect(Type.NAME).value());
        while (peek().isOperator(".")) {
            next();
            name.append('.').append((String) expect(Type.NAME).value());
        }
        return name.toString();
    }

    // ---- token stream

    private Token peek() {
        return tokens.get(index);
    }

    private Token next() {
        Token t = tokens.get(index);
        if (t.type() != Type.EOF) {
            index++;
        }
        return t;
    }

    private Token expect(Type type) {
        Token t = peek();
        if (t.type() != type) {
            String wanted = type == Type.NAME ? "a name" : new Token(type, "", 0).describe();
            throw syntax("expected " + wanted + ", got " + t.describe(), t);
        }
        return next();
    }

    private void expectOperator(String op) {
        if (!peek().isOperator(op)) {
            throw syntax("expected '" + op + "', got " + peek().describe(), peek());
        }
        next();
    }

    private void expectName(String name) {
        if (!peek().isName(name)) {
            throw syntax("expected '" + name + "', got " + peek().describe(), peek());
        }
        next();
    }

    private static TemplateException syntax(String message, Token at) {
        return new TemplateException(TemplateException.Kind.SYNTAX, message, at.line());
    }
}

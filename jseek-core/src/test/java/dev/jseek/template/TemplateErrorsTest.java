package dev.jseek.template;

import dev.jseek.testdata.TemplateReference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Failures are exceptions that say what and where, found as early as jinja2 finds them; renders share no state. */
class TemplateErrorsTest {

    private static String render(String source, Map<String, ?> variables) {
        return Template.parse(source).render(variables, TemplateReference.CLOCK);
    }

    @Test
    void runtimeErrorNamesTheTemplateLine() {
        String source = "{%- for m in messages -%}\n{{ m.role }}\n{{- m.content.upper() -}}\n{%- endfor -%}";
        TemplateException e = assertThrows(TemplateException.class,
                () -> render(source, Map.of("messages", List.of(Map.of("role", "user")))));
        assertEquals(TemplateException.Kind.UNDEFINED, e.kind());
        assertEquals(3, e.line());
        assertEquals("UndefinedError: 'dict object' has no attribute 'content' (template line 3)", e.getMessage());
    }

    @Test
    void unknownFilterOutsideAnIfFailsWhenCompiling() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.compile("a\n{{ x | from_json }}"));
        assertEquals(TemplateException.Kind.ASSERTION, e.kind());
        assertEquals(2, e.line());
        ChatTemplate guarded = ChatTemplate.compile("{% if x is string %}{{ x | from_json }}{% endif %}ok");
        assertEquals("ok", guarded.render(new ChatRequest(List.of(), null, false, Map.of())));
    }

    @Test
    void syntaxErrorsNameTheLine() {
        TemplateException e = assertThrows(TemplateException.class, () -> Template.parse("{% if x %}\n{% for y in z %}\n{% endif %}"));
        assertEquals(TemplateException.Kind.SYNTAX, e.kind());
        assertEquals(3, e.line());
        assertEquals(TemplateException.Kind.SYNTAX, assertThrows(TemplateException.class, () -> Template.parse("{% break %}")).kind());
        assertEquals(TemplateException.Kind.SYNTAX,
                assertThrows(TemplateException.class, () -> Template.parse("{% macro m() %}{% for x in y %}{% endfor %}{% continue %}{% endmacro %}")).kind());
    }

    @Test
    void endlessMacroRecursionIsATemplateError() {
        TemplateException e = assertThrows(TemplateException.class, () -> render("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", Map.of()));
        assertEquals(TemplateException.Kind.RECURSION, e.kind());
    }

    @Test
    void raiseExceptionCarriesTheTemplatesMessage() {
        TemplateException e = assertThrows(TemplateException.class, () -> render("{{ raise_exception('Roles must alternate') }}", Map.of()));
        assertEquals(TemplateException.Kind.RAISED, e.kind());
        assertEquals("Roles must alternate", e.detail());
    }

    @Test
    void oneParseRendersManyTimesWithoutSharedState() {
        Template t = Template.parse("{% set ns = namespace(n=0) %}{% for x in xs %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }}");
        assertEquals("6", t.render(Map.of("xs", List.of(1, 2, 3)), TemplateReference.CLOCK));
        assertEquals("6", t.render(Map.of("xs", List.of(1, 2, 3)), TemplateReference.CLOCK));
        assertEquals("0", t.render(Map.of("xs", List.of()), TemplateReference.CLOCK));
    }

    @Test
    void callerDataIsCopiedAndCheckedOnTheWayIn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> render("{{ x }}", Map.of("x", new Object())));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        assertEquals("[1, 2.5, True, None, 'é']", render("{{ x }}", Map.of("x", java.util.Arrays.asList(1, 2.5f, true, null, 'é'))));
    }
}

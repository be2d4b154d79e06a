package dev.jseek.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jseek.template.ReasoningSplitter.Delta;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The think-block splitter gives the same result however the text is cut into pieces, and holds back only what may be a tag. */
class ReasoningSplitterTest {

    /** Feeds the pieces and returns the totals: reasoning and content. */
    private static Delta streamed(boolean startsInside, List<String> pieces) {
        ReasoningSplitter splitter = new ReasoningSplitter(startsInside);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        for (String piece : pieces) {
            Delta d = splitter.feed(piece);
            reasoning.append(d.reasoning());
            content.append(d.content());
        }
        Delta rest = splitter.finish();
        return new Delta(reasoning.append(rest.reasoning()).toString(), content.append(rest.content()).toString());
    }

    @ParameterizedTest(name = "[{0}] inside={1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        "<think>\\nThe user greets.\\n</think>\\n\\nHello!"  | false | "The user greets."   | "Hello!"
        "\\n<think>a < b </thinker> c</think>answer"       | false | "a < b </thinker> c" | "answer"
        "The user greets.\\n</think>\\n\\nHello!"           | true  | "The user greets."   | "Hello!"
        "<think>\\nrepeated tag\\n</think>ok"               | true  | "repeated tag"       | "ok"
        "</think>\\n\\nno reasoning"                        | true  | ""                   | "no reasoning"
        "Plain answer, <think>not</think> a block"         | false | ""                   | "Plain answer, <think>not</think> a block"
        "  leading space kept"                             | false | ""                   | "  leading space kept"
        "<think>never closed\\n"                           | false | "never closed"       | ""
        "<think>cut at a partial tag </thi"                | false | "cut at a partial tag </thi" | ""
        "<thi"                                             | false | ""                   | "<thi"
        "a</think>b</think>c"                              | true  | "a"                  | "b</think>c"
        ""                                                 | true  | ""                   | ""
        """)
    void splitsAlikeForEveryCut(String text, boolean startsInside, String reasoning, String content) {
        String output = text.replace("\\n", "\n");
        Delta whole = ReasoningSplitter.split(output, startsInside);
        assertEquals(reasoning, whole.reasoning());
        assertEquals(content, whole.content());
        for (int cut = 0; cut <= output.length(); cut++) {
            assertEquals(whole, streamed(startsInside, List.of(output.substring(0, cut), output.substring(cut))), "cut at " + cut);
        }
        List<String> characters = output.codePoints().mapToObj(Character::toString).toList();
        assertEquals(whole, streamed(startsInside, characters), "one character at a time");
        Random random = new Random(42);
        for (int trial = 0; trial < 50; trial++) {
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < output.length(); ) {
                int end = Math.min(output.length(), i + 1 + random.nextInt(4));
                pieces.add(output.substring(i, end));
                i = end;
            }
            assertEquals(whole, streamed(startsInside, pieces), pieces.toString());
        }
    }

    @Test
    void tagSplitAcrossPiecesIsHeldThenRecognized() {
        ReasoningSplitter splitter = new ReasoningSplitter(false);
        assertEquals(Delta.EMPTY, splitter.feed("<th"));
        assertEquals(Delta.EMPTY, splitter.feed("ink>"));
        assertEquals(new Delta("Paris is", ""), splitter.feed("Paris is"));
        assertEquals(new Delta(" the capital", ""), splitter.feed(" the capital</th"));
        assertEquals(Delta.EMPTY, splitter.feed("ink>\n\n"));
        assertEquals(new Delta("", "Paris."), splitter.feed("Paris."));
        assertEquals(Delta.EMPTY, splitter.finish());
    }

    @Test
    void reasoningIsPassedOnAsSoonAsItCannotBeATag() {
        ReasoningSplitter splitter = new ReasoningSplitter(true);
        assertEquals(new Delta("step one", ""), splitter.feed("step one\n"));
        assertEquals(new Delta("\nstep two", ""), splitter.feed("step two <"));
        assertEquals(new Delta(" <3", ""), splitter.feed("3"));
    }

    @Test
    void promptThatOpensTheBlockStartsInside() {
        assertEquals(new Delta("x", "y"), ReasoningSplitter.forPrompt("<｜User｜>Hi<｜Assistant｜><think>\n").feed("x</think>y"));
        assertEquals(new Delta("", "x</think>y"),
                ReasoningSplitter.forPrompt("<｜User｜>Hi<｜Assistant｜><think>\n</think>").feed("x</think>y"));
    }
}

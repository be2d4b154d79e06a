package dev.jseek.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {

    @Test
    void stopStringSplitAcrossPiecesNeverShows() {
        StopMatcher m = new StopMatcher(List.of("</answer>"));
        StringBuilder out = new StringBuilder();
        for (String piece : List.of("The result", " is 4.</ans", "wer> trailing")) {
            out.append(m.accept(piece));
        }
        assertTrue(m.stopped());
        assertEquals("The result is 4.", out.toString());
    }

    @Test
    void heldBackTextIsReleasedWhenItDoesNotStop() {
        StopMatcher m = new StopMatcher(List.of("STOP"));
        assertEquals("abc ", m.accept("abc ST"));
        assertEquals("STx", m.accept("x"));
        assertEquals("", m.accept("S"));
        assertFalse(m.stopped());
        assertEquals("S", m.finish());
    }

    @Test
    void earliestOfSeveralStops() {
        StopMatcher m = new StopMatcher(List.of("\n\n", "User:"));
        assertEquals("hi", m.accept("hiUser: x\n\n"));
        assertTrue(m.stopped());
        assertEquals("", m.accept("more"));
    }
}

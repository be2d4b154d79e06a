package dev.jseek.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class JitSettingsTest {

    @Test
    void theDefaultCutoffGetsOneLineNamingTheFlag() {
        String warning = JitSettings.warning(OptionalLong.of(400)).orElseThrow();
        assertTrue(warning.contains(JitSettings.FLAG), warning);
        assertTrue(warning.contains("is 400"), warning);
        assertEquals(-1, warning.indexOf('\n'));
    }

    @Test
    void aHighCutoffOrAnotherJvmGetsNone() {
        assertEquals(Optional.empty(), JitSettings.warning(OptionalLong.of(1_000_000)));
        assertEquals(Optional.empty(), JitSettings.warning(OptionalLong.of(JitSettings.ENOUGH)));
        assertEquals(Optional.empty(), JitSettings.warning(OptionalLong.empty()));
    }

    @Test
    void theBuildRunsTestsWithTheLaunchersFlag() {
        // The pom's jseek.jvm.flags carry the same flag as the launcher: this JVM has it.
        assertEquals(OptionalLong.of(1_000_000), JitSettings.currentCutoff());
    }
}

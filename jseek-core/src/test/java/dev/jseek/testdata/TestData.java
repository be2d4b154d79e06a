package dev.jseek.testdata;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shared reference data, read in place from {@code ../shared/testdata} beside the repository
 * (or from the directory named by the {@code jseek.testdata} system property). A missing file
 * fails the test with its name: the references are never optional.
 */
public final class TestData {

    private TestData() {
    }

    public static Path root() {
        String override = System.getProperty("jseek.testdata");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            fail("cannot find the repository root (no mvnw above " + Path.of("").toAbsolutePath() + ")");
        }
        return dir.resolveSibling("shared").resolve("testdata");
    }

    /** A file under the test data root, e.g. {@code models/zoo.Q4_0.gguf}; fails when absent. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            fail("missing test data file " + p + " (expected ../shared/testdata beside the repository)");
        }
        return p;
    }

    /** Every file under {@code folder} whose name ends with {@code suffix}, sorted; fails when none. */
    public static List<Path> files(String folder, String suffix) {
        Path dir = file(folder);
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
            if (found.isEmpty()) {
                fail("no *" + suffix + " files in " + dir);
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

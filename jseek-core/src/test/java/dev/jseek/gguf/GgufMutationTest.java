package dev.jseek.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jseek.tensor.Tensor;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Truncates and corrupts the shared test models thousands of times: every mutant must either
 * load cleanly (and its tensors be readable) or fail with a one-line {@link GgufFormatException};
 * never another exception, an OutOfMemoryError or a hang.
 */
class GgufMutationTest {

    /** Mutants per file: fewer for the large vocabularies, whose every load parses ~100k strings. */
    private static int mutantsFor(byte[] file) {
        return file.length > (1 << 20) ? 150 : 400;
    }

    /** A model of each family and every vocabulary file: metadata-heavy and tensor-heavy headers. */
    static Stream<Path> sources() {
        List<Path> all = TestData.files(".", ".gguf");
        return all.stream().filter(p -> {
            String n = p.getFileName().toString();
            return n.startsWith("ggml-vocab-") || n.equals("zoo.Q4_K.gguf") || n.equals("zoo.IQ4_XS.gguf")
                    || n.equals("llama3.Q8_0.gguf") || n.equals("qwen3.Q4_0.gguf")
                    || n.equals("deepseek2-lite.Q4_K.gguf") || n.equals("deepseek2-v3.Q4_0.gguf");
        });
    }

    @ParameterizedTest
    @MethodSource("sources")
    void everyMutantLoadsOrFailsCleanly(Path source) throws IOException {
        byte[] original = Files.readAllBytes(source);
        long header;
        try (GgufFile f = GgufFile.open(source)) {
            header = f.tensors().isEmpty() ? original.length : f.dataOffset();
        }
        long seed = source.getFileName().toString().hashCode();
        Random random = new Random(seed);
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            byte[] mutant = original.clone();
            for (int i = 0, n = mutantsFor(original); i < n; i++) {
                String how = mutate(mutant, random, (int) Math.min(header, original.length));
                int length = mutant.length;
                if (how.startsWith("truncate")) {
                    length = Integer.parseInt(how.substring("truncate at ".length()));
                }
                check(source.getFileName() + " mutant " + i + " (seed " + seed + ", " + how + ")",
                        MemorySegment.ofArray(mutant).asSlice(0, length));
                System.arraycopy(original, 0, mutant, 0, original.length);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("sources")
    void mappedMutantsFromDisk(Path source, @TempDir Path dir) throws IOException {
        byte[] original = Files.readAllBytes(source);
        Random random = new Random(~source.getFileName().toString().hashCode());
        for (int i = 0; i < 10; i++) {
            byte[] mutant = original.clone();
            String how = mutate(mutant, random, Math.min(original.length, 4096));
            int length = how.startsWith("truncate") ? Integer.parseInt(how.substring("truncate at ".length())) : mutant.length;
            Path p = dir.resolve("mutant" + i + ".gguf");
            Files.write(p, java.util.Arrays.copyOf(mutant, length));
            try (GgufFile f = GgufFile.open(p)) {
                readEverything(f);
            } catch (GgufFormatException e) {
                assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            }
        }
    }

    private static void check(String name, MemorySegment image) {
        try {
            readEverything(GgufFile.parse(name, image));
        } catch (GgufFormatException e) {
            if (e.getMessage().lines().count() != 1 || e.offset() < 0 || e.offset() > image.byteSize()) {
                fail(name + ": malformed error: " + e.getMessage());
            }
        } catch (Throwable t) {
            fail(name + ": " + t, t);
        }
    }

    /** Touches every metadata value and the first and last bytes of every tensor. */
    private static void readEverything(GgufFile f) {
        f.metadata().asMap().forEach((k, v) -> v.toString());
        for (Tensor t : f.tensors()) {
            MemorySegment d = t.data();
            if (d.byteSize() > 0) {
                d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0);
                d.get(java.lang.foreign.ValueLayout.JAVA_BYTE, d.byteSize() - 1);
            }
        }
    }

    /** Applies one random mutation, mostly inside the header, and says what it did. */
    private static String mutate(byte[] b, Random r, int header) {
        int where = r.nextInt(10) < 9 ? r.nextInt(Math.max(1, header)) : r.nextInt(b.length);
        switch (r.nextInt(4)) {
            case 0 -> {
                return "truncate at " + where;
            }
            case 1 -> {
                int flips = 1 + r.nextInt(8);
                for (int k = 0; k < flips; k++) {
                    int at = Math.min(b.length - 1, where + r.nextInt(64));
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
                return flips + " bit flips near " + where;
            }
            case 2 -> {
                // An extreme 8-byte value where a count, length or offset may sit.
                long[] extremes = {-1L, Long.MAX_VALUE, 1L << 32, 0xFFFFFFFFL, 0, 1L << 62, 255};
                long v = extremes[r.nextInt(extremes.length)];
                for (int k = 0; k < 8 && where + k < b.length; k++) {
                    b[where + k] = (byte) (v >>> (8 * k));
                }
                return "8 bytes set to " + v + " at " + where;
            }
            default -> {
                int n = 1 + r.nextInt(16);
                for (int k = 0; k < n && where + k < b.length; k++) {
                    b[where + k] = (byte) r.nextInt(256);
                }
                return n + " random bytes at " + where;
            }
        }
    }
}

package dev.jseek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.store.FakeHub;
import dev.jseek.store.RemoteFile;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README flow (pull by name, list, rm) against the imitation hub, and the commands' one-line errors. */
class PullCommandTest {

    static final String REPO = "unsloth/DeepSeek-R1-Distill-Qwen-1.5B-GGUF";
    static final String Q4 = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf";
    static final Path CONTENT = TestData.file("models/qwen2.Q4_K.gguf");

    @TempDir
    Path home;

    final FakeHub hub = FakeHub.start().serve(REPO, Q4, CONTENT).serve(REPO, "DeepSeek-R1-Distill-Qwen-1.5B-Q8_0.gguf", new byte[10]);

    @AfterEach
    void stopHub() {
        hub.close();
    }

    record Run(int code, String out, String err) {
    }

    Run run(String... args) {
        return run(Map.of("JSEEK_HOME", home.toString(), "JSEEK_HF_ENDPOINT", hub.endpoint().toString()), args);
    }

    static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.configure(new CommandLine(new Main(env)));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The README's first command: run a model by name, pulled on first use, then offline from the store. */
    @Test
    void runByNamePullsOnFirstUse() {
        Run first = run("run", "deepseek-r1:1.5b", "-p", "the cat", "-n", "4", "--seed", "2");
        assertEquals(0, first.code, first.err);
        assertTrue(first.err.contains("pulling deepseek-r1:1.5b: hf://" + REPO + "/" + Q4 + " (545 kB)"), first.err);
        assertTrue(first.err.contains("[prefill"), first.err);
        Run offline = run("run", "deepseek-r1:1.5b", "--offline", "-p", "the cat", "-n", "4", "--seed", "2");
        assertEquals(0, offline.code, offline.err);
        assertTrue(!offline.err.contains("pulling"), offline.err);
        assertEquals(first.out, offline.out, "same seed, same reply");
        Run missing = run("run", "deepseek-r1:7b", "--offline", "-p", "x");
        assertEquals(1, missing.code);
        assertTrue(missing.err.startsWith("jseek: deepseek-r1:7b is not in the store"), missing.err);
    }

    @Test
    void pullListRemove() throws IOException {
        Run pull = run("pull", "deepseek-r1:1.5b");
        assertEquals(0, pull.code, pull.err);
        Path path = home.resolve("models").resolve(REPO).resolve(Q4);
        assertEquals(path + "\n", pull.out);
        assertEquals(-1, Files.mismatch(CONTENT, path));
        assertTrue(pull.err.startsWith("pulling deepseek-r1:1.5b: hf://" + REPO + "/" + Q4 + " (545 kB)\n"), pull.err);

        Run again = run("pull", "deepseek-r1:1.5b");
        assertEquals(0, again.code, again.err);
        assertEquals("deepseek-r1:1.5b is already in the store\n", again.err);
        assertEquals(path + "\n", again.out);

        Run list = run("list");
        assertEquals(0, list.code, list.err);
        List<String> lines = list.out.lines().toList();
        assertEquals(2, lines.size(), list.out);
        assertEquals(List.of("NAME", "SIZE", "QUANT", "ARCH", "PATH"), List.of(lines.get(0).split("\\s+")));
        assertEquals(List.of("deepseek-r1:1.5b", "545", "kB", "Q4_K_M", "qwen2", path.toString()), List.of(lines.get(1).split("\\s+")));

        Run rm = run("rm", "deepseek-r1:1.5b");
        assertEquals(0, rm.code, rm.err);
        assertEquals("removed deepseek-r1:1.5b (545 kB, 1 file)\n", rm.out);
        assertTrue(run("list").out.startsWith("no models in " + home + ";"));
    }

    @Test
    void otherQuantizationsAreListedUnderTheirNames() {
        assertEquals(0, run("pull", "deepseek-r1:1.5b:q8_0").code);
        assertEquals(0, run("pull", REPO + ":Q4_K_M").code);
        String list = run("list").out;
        assertTrue(list.contains("\ndeepseek-r1:1.5b:Q8_0 "), list);
        assertTrue(list.contains("\ndeepseek-r1:1.5b "), list);
        assertTrue(list.contains("(unreadable)"), "ten zero bytes are no GGUF: " + list);
        assertEquals(0, run("rm", REPO + ":q8_0").code);
        assertEquals(0, run("rm", "hf://" + REPO + "/" + Q4).code);
    }

    @Test
    void listOfBuiltInNamesSaysWhichAreDistills() {
        Run r = run("pull", "--list");
        assertEquals(0, r.code, r.err);
        String distills = r.out.substring(0, r.out.indexOf("DeepSeek's own models:"));
        String own = r.out.substring(r.out.indexOf("DeepSeek's own models:"));
        for (String name : List.of("deepseek-r1:1.5b", "deepseek-r1:7b", "deepseek-r1:8b", "deepseek-r1:14b", "deepseek-r1:32b",
                "deepseek-r1:70b", "deepseek-r1:8b-0528")) {
            assertTrue(distills.contains("\n  " + name + " "), name);
        }
        for (String name : List.of("deepseek-v2-lite", "deepseek-coder-v2-lite", "deepseek-v3", "deepseek-r1:671b")) {
            assertTrue(own.contains("\n  " + name + " "), name);
        }
        assertTrue(distills.contains("~1.08 GB") && distills.contains("Qwen2.5-Math-1.5B") && distills.contains("Llama 3.1 Community License"), distills);
        assertTrue(own.contains("~407 GB") && own.contains("unsloth/DeepSeek-R1-GGUF"), own);
        assertEquals(List.of(), hub.requests(), "--list is the built-in table, no network");
    }

    @Test
    void errorsAreOneLine() {
        assertOneLineError(run("pull", "deepseek-r2"), 1, "jseek: unknown model 'deepseek-r2': not a built-in name");
        assertOneLineError(run("pull", "someone/Missing-GGUF:Q4_K_M"), 1, "jseek: no repository someone/Missing-GGUF on " + hub.endpoint() + " (HTTP 404)");
        hub.gate(REPO, "hf_token");
        assertOneLineError(run("pull", "deepseek-r1:1.5b"), 1, "jseek: " + hub.endpoint() + " refused access to " + REPO + " (HTTP 401)");
        assertOneLineError(run("rm", "deepseek-r1:7b"), 1, "jseek: deepseek-r1:7b is not in the store (" + home + "); see 'jseek list'");
        assertOneLineError(run("pull", CONTENT.toString()), 1, "jseek: '" + CONTENT + "' is a file, not a model to pull");
        assertOneLineError(run("pull"), 2, "jseek: Missing model NAME (or --list for the built-in names)");
        assertOneLineError(run(Map.of("JSEEK_HOME", home.toString(), "JSEEK_HF_ENDPOINT", "ftp://example"), "pull", "deepseek-r1:1.5b"), 1,
                "jseek: the Hugging Face endpoint must be an http(s) URL, not 'ftp://example'");
    }

    static void assertOneLineError(Run r, int code, String start) {
        assertEquals(code, r.code, r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.startsWith(start), r.err);
    }

    @Test
    void progressOnATerminalRewritesOneLine() {
        StringWriter err = new StringWriter();
        AtomicLong now = new AtomicLong();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(err, true), true, now::get);
        RemoteFile file = new RemoteFile("o/r", "m-Q4_K_M.gguf", 100_000_000, null);
        p.pulling("m", List.of(file), 100_000_000);
        p.started(file, 0);
        now.set(1_000_000_000L);
        p.progress(file, 10_000_000);
        now.set(2_000_000_000L);
        p.progress(file, 20_000_000);
        now.set(10_000_000_000L);
        p.finished(file, Path.of("x"));
        assertEquals("pulling m: hf://o/r/m-Q4_K_M.gguf (100 MB)\n"
                + "\r  10.0 MB / 100 MB  10%  10.0 MB/s  ETA 0:09"
                + "\r  20.0 MB / 100 MB  20%  10.0 MB/s  ETA 0:08\n"
                + "m-Q4_K_M.gguf: 100 MB downloaded in 0:10\n", err.toString());
    }

    @Test
    void progressInALogIsAPlainLineEveryTenSeconds() {
        StringWriter err = new StringWriter();
        AtomicLong now = new AtomicLong();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(err, true), false, now::get);
        RemoteFile file = new RemoteFile("o/r", "m-00001-of-00002.gguf", 2_000_000_000L, null);
        RemoteFile second = new RemoteFile("o/r", "m-00002-of-00002.gguf", 1_000_000_000L, null);
        p.pulling("o/r:Q8_0", List.of(file, second), 2_500_000_000L);
        p.started(file, 500_000_000L);
        for (int s = 1; s <= 25; s++) {
            now.set(s * 1_000_000_000L);
            p.progress(file, 500_000_000L + s * 50_000_000L);
        }
        p.retrying(file, "connection closed at byte 1750000000 of 2000000000");
        assertEquals("pulling o/r:Q8_0: hf://o/r/m-00001-of-00002.gguf and 1 more parts (3.00 GB, 2.50 GB left to download)\n"
                + "resuming m-00001-of-00002.gguf at 500 MB of 2.00 GB\n"
                + "m-00001-of-00002.gguf: 1.00 GB / 2.00 GB  50%  50.0 MB/s  ETA 0:20\n"
                + "m-00001-of-00002.gguf: 1.50 GB / 2.00 GB  75%  50.0 MB/s  ETA 0:10\n"
                + "connection problem (connection closed at byte 1750000000 of 2000000000); resuming m-00001-of-00002.gguf\n", err.toString());
    }
}

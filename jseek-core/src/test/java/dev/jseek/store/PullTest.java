package dev.jseek.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.gguf.GgufFile;
import dev.jseek.gguf.GgufModelFiles;
import dev.jseek.gguf.GgufSplitter;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulling models from the imitation hub: names, split models, and every fault the issue lists. */
class PullTest {

    static final String REPO = "unsloth/DeepSeek-R1-Distill-Qwen-1.5B-GGUF";
    static final String Q4 = "DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf";
    static final String Q8 = "DeepSeek-R1-Distill-Qwen-1.5B-Q8_0.gguf";
    static final Path Q4_CONTENT = TestData.file("models/qwen2.Q4_K.gguf");
    static final Path Q8_CONTENT = TestData.file("models/qwen2.Q8_0.gguf");

    /** Fast retries, so faults play out in well under a second. */
    static final DownloadOptions FAST = new DownloadOptions(4, Long.MAX_VALUE, Duration.ofSeconds(3), 3, Duration.ofMillis(10));

    @TempDir
    Path home;

    final FakeHub hub = FakeHub.start()
            .serve(REPO, Q4, Q4_CONTENT)
            .serve(REPO, Q8, Q8_CONTENT)
            .serve(REPO, "README.md", "# model card".getBytes())
            .serve(REPO, "mmproj-F16.gguf", new byte[] {1, 2, 3});

    /** Records what a pull reports. */
    static final class Events implements PullListener {
        final List<String> log = new CopyOnWriteArrayList<>();
        final List<Long> progress = new CopyOnWriteArrayList<>();

        @Override
        public void pulling(String name, List<RemoteFile> files, long bytes) {
            log.add("pulling " + name + " " + files.size() + " " + bytes);
        }

        @Override
        public void waiting(RemoteFile file) {
            log.add("waiting " + file.fileName());
        }

        @Override
        public void started(RemoteFile file, long resumedAt) {
            log.add("started " + file.fileName() + " " + resumedAt);
        }

        @Override
        public void progress(RemoteFile file, long done) {
            progress.add(done);
        }

        @Override
        public void retrying(RemoteFile file, String reason) {
            log.add("retrying " + reason);
        }

        @Override
        public void finished(RemoteFile file, Path path) {
            log.add("finished " + file.fileName());
        }

        boolean has(String prefix) {
            return log.stream().anyMatch(l -> l.startsWith(prefix));
        }
    }

    final Events events = new Events();

    @AfterEach
    void stopHub() {
        hub.close();
    }

    ModelResolver resolver(DownloadOptions options, PullListener listener) {
        return resolver(hub.endpoint(), null, options, listener);
    }

    ModelResolver resolver(URI endpoint, String token, DownloadOptions options, PullListener listener) {
        return new ModelResolver(ModelCatalog.builtIn(), new ModelStore(home), new HuggingFaceHub(endpoint, token), options, listener);
    }

    ModelResolver resolver() {
        return resolver(FAST, events);
    }

    List<FakeHub.Request> cdnRequests() {
        return hub.requests().stream().filter(r -> r.server().equals("cdn")).toList();
    }

    /** Every file under the store, relative to it, lock files aside. */
    List<String> storeFiles() throws IOException {
        try (Stream<Path> s = Files.walk(home)) {
            return s.filter(Files::isRegularFile).map(p -> home.relativize(p).toString())
                    .filter(p -> !p.startsWith("locks")).sorted().toList();
        }
    }

    @Test
    void aliasIsPulledOnceThenServedFromTheStore() throws Exception {
        Path path = resolver().resolve("deepseek-r1:1.5b", false);
        assertEquals(home.resolve("models").resolve(REPO).resolve(Q4), path);
        assertEquals(-1, Files.mismatch(Q4_CONTENT, path));
        assertEquals(List.of("pulling deepseek-r1:1.5b 1 " + Files.size(Q4_CONTENT), "started " + Q4 + " 0", "finished " + Q4), events.log);
        assertEquals(List.of("models/" + REPO + "/" + Q4), storeFiles());

        int requests = hub.requests().size();
        assertEquals(path, resolver().resolve("deepseek-r1:1.5b", false));
        assertEquals(path, resolver().resolve("deepseek-r1:1.5b", true));
        assertEquals(requests, hub.requests().size(), "a model in the store needs no network");
    }

    @Test
    void quantSuffixRepoQuantAndFileReferencesPickTheirFile() throws Exception {
        Path q8 = resolver().resolve("deepseek-r1:1.5b:q8_0", false);
        assertEquals(-1, Files.mismatch(Q8_CONTENT, q8));
        assertEquals(q8, resolver().resolve(REPO + ":Q8_0", true));
        assertEquals(q8, resolver().resolve("hf://" + REPO + "/" + Q8, true));

        Path q4 = resolver().resolve("hf://" + REPO + "/" + Q4, false);
        assertEquals(-1, Files.mismatch(Q4_CONTENT, q4));
        // A file reference reads size and sha256 from the resolve URL's headers: a HEAD, no file list.
        assertTrue(hub.requests().stream().anyMatch(r -> r.method().equals("HEAD") && r.path().endsWith("/resolve/main/" + Q4)));
    }

    @Test
    void pagedFileListIsReadToTheEnd() throws Exception {
        hub.pageSize(1);
        assertEquals(-1, Files.mismatch(Q8_CONTENT, resolver().resolve(REPO + ":q8_0", false)));
        assertTrue(hub.requests().stream().filter(r -> r.path().contains("/tree/main")).count() >= 4);
    }

    @Test
    void splitModelDownloadsEveryPartAndOpensAsOne(@TempDir Path parts) throws Exception {
        String repo = "unsloth/DeepSeek-R1-GGUF";
        try (GgufFile whole = GgufFile.open(TestData.file("models/deepseek2-v3.Q4_K.gguf"))) {
            GgufSplitter.split(whole, parts, "DeepSeek-R1-Q4_K_M", 3);
            try (Stream<Path> s = Files.list(parts)) {
                s.forEach(p -> hub.serve(repo, "DeepSeek-R1-Q4_K_M/" + p.getFileName(), p));
            }
            hub.serve(repo, "DeepSeek-R1-Q8_0/DeepSeek-R1-Q8_0-00001-of-00002.gguf", new byte[] {0});
            Path first = resolver().resolve("deepseek-r1:671b", false);
            assertEquals("DeepSeek-R1-Q4_K_M-00001-of-00003.gguf", first.getFileName().toString());
            assertTrue(events.log.getFirst().startsWith("pulling deepseek-r1:671b 3 "), events.log.toString());
            try (GgufModelFiles model = GgufModelFiles.open(first)) {
                assertEquals(3, model.parts().size());
                assertEquals(whole.tensors().size(), model.tensors().size());
                assertEquals(whole.architecture(), model.architecture());
            }
            assertEquals(first, resolver().resolve("hf://" + repo + "/DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M-00001-of-00003.gguf", true));
        }
    }

    @Test
    void connectionCutMidFileIsResumedWithRange() throws Exception {
        hub.cutAt(REPO, Q4, 100_000, 1);
        Path path = resolver().resolve("deepseek-r1:1.5b", false);
        assertEquals(-1, Files.mismatch(Q4_CONTENT, path));
        assertTrue(events.has("retrying"), events.log.toString());
        assertEquals("bytes=100000-" + (Files.size(Q4_CONTENT) - 1), cdnRequests().getLast().range());
        assertEquals(Files.size(Q4_CONTENT), hub.bytesServed(REPO, Q4), "resuming fetches no byte twice");
    }

    @Test
    void pullThatGivesUpLeavesAPartialThatTheNextPullResumes() throws Exception {
        hub.cutAt(REPO, Q4, 100_000, 1000);
        StoreException e = assertThrows(StoreException.class, () -> resolver().resolve("deepseek-r1:1.5b", false));
        assertTrue(e.getMessage().contains("failed 3 times in a row") && e.getMessage().endsWith("run the pull again to resume from byte 100000"),
                e.getMessage());
        assertEquals(List.of("downloads/" + REPO + "/" + Q4 + ".partial", "downloads/" + REPO + "/" + Q4 + ".progress"), storeFiles());
        assertThrows(StoreException.class, () -> resolver().resolve("deepseek-r1:1.5b", true), "a partial download is not a model");

        hub.cutAt(REPO, Q4, 0, 0);
        Events second = new Events();
        Path path = resolver(FAST, second).resolve("deepseek-r1:1.5b", false);
        assertEquals(-1, Files.mismatch(Q4_CONTENT, path));
        assertEquals("pulling deepseek-r1:1.5b 1 " + (Files.size(Q4_CONTENT) - 100_000), second.log.getFirst());
        assertEquals("started " + Q4 + " 100000", second.log.get(1));
        assertEquals("bytes=100000-" + (Files.size(Q4_CONTENT) - 1), cdnRequests().getLast().range());
        assertEquals(List.of("models/" + REPO + "/" + Q4), storeFiles());
    }

    @Test
    void wrongChecksumDiscardsTheDownload() throws Exception {
        hub.corrupt(REPO, Q4);
        StoreException e = assertThrows(StoreException.class, () -> resolver().resolve("deepseek-r1:1.5b", false));
        assertTrue(e.getMessage().startsWith("checksum mismatch for hf://" + REPO + "/" + Q4 + ": expected sha256 "), e.getMessage());
        assertTrue(e.getMessage().endsWith("the download was discarded, pull again to retry"), e.getMessage());
        assertEquals(List.of(), storeFiles(), "nothing half-written or unverified stays in the store");
    }

    @Test
    void notFoundNamesTheRepositoryAndFile() {
        StoreException repo = assertThrows(StoreException.class, () -> resolver().resolve("someone/NoSuchModel-GGUF:Q4_K_M", false));
        assertEquals("no repository someone/NoSuchModel-GGUF on " + hub.endpoint() + " (HTTP 404)", repo.getMessage());
        StoreException file = assertThrows(StoreException.class, () -> resolver().resolve("hf://" + REPO + "/missing-Q4_K_M.gguf", false));
        assertEquals("no file missing-Q4_K_M.gguf in " + REPO + " on " + hub.endpoint() + " (HTTP 404)", file.getMessage());
        StoreException quant = assertThrows(StoreException.class, () -> resolver().resolve("deepseek-r1:1.5b:q3_k_m", false));
        assertEquals(REPO + " has no Q3_K_M GGUF file; it has Q4_K_M, Q8_0", quant.getMessage());
    }

    @Test
    void gatedRepositoryAsksForHfTokenWhichNeverReachesTheCdn() throws Exception {
        hub.gate(REPO, "hf_secret");
        StoreException e = assertThrows(StoreException.class, () -> resolver().resolve("deepseek-r1:1.5b", false));
        assertTrue(e.getMessage().startsWith(hub.endpoint() + " refused access to " + REPO + " (HTTP 401)"), e.getMessage());
        assertTrue(e.getMessage().contains("set HF_TOKEN"), e.getMessage());

        StoreException wrong = assertThrows(StoreException.class,
                () -> resolver(hub.endpoint(), "hf_wrong", FAST, events).resolve("deepseek-r1:1.5b", false));
        assertTrue(wrong.getMessage().startsWith(hub.endpoint() + " refused access to " + REPO + " (HTTP 403): HF_TOKEN was sent; check that it is valid"),
                wrong.getMessage());

        Path path = resolver(hub.endpoint(), "hf_secret", FAST, events).resolve("deepseek-r1:1.5b", false);
        assertEquals(-1, Files.mismatch(Q4_CONTENT, path));
        assertFalse(cdnRequests().isEmpty());
        assertTrue(cdnRequests().stream().noneMatch(FakeHub.Request::authorized), "the token is for the hub, not the CDN");
    }

    @Test
    void slowServerFinishesWithProgressAlongTheWay() throws Exception {
        hub.throttle(8 * 1024, 20);
        Path path = resolver().resolve("deepseek-r1:1.5b", false);
        assertEquals(-1, Files.mismatch(Q4_CONTENT, path));
        assertTrue(events.progress.size() >= 3, "progress reported " + events.progress.size() + " times");
        for (int i = 1; i < events.progress.size(); i++) {
            assertTrue(events.progress.get(i) >= events.progress.get(i - 1));
        }
        assertEquals(Files.size(Q4_CONTENT), events.progress.getLast());
    }

    @Test
    void stalledConnectionIsDroppedAndResumed() throws Exception {
        hub.stallAt(REPO, Q4, 200_000, 10_000);
        DownloadOptions impatient = new DownloadOptions(4, Long.MAX_VALUE, Duration.ofMillis(500), 3, Duration.ofMillis(10));
        long start = System.nanoTime();
        Path path = resolver(impatient, events).resolve("deepseek-r1:1.5b", false);
        assertEquals(-1, Files.mismatch(Q4_CONTENT, path));
        assertTrue(events.log.contains("retrying no data for 0.5 s"), events.log.toString());
        assertTrue(System.nanoTime() - start < 8_000_000_000L, "the stall was waited out instead of dropped");
    }

    @Test
    void largeFileIsFetchedInParallelRanges() throws Exception {
        Path big = TestData.file("models/deepseek2-lite.F32.gguf");
        hub.serve(REPO, Q4, big).cutAt(REPO, Q4, 5_000_000, 1);
        DownloadOptions parallel = new DownloadOptions(4, 1 << 20, Duration.ofSeconds(3), 3, Duration.ofMillis(10));
        Path path = resolver(parallel, events).resolve("deepseek-r1:1.5b", false);
        assertEquals(-1, Files.mismatch(big, path));
        List<String> ranges = cdnRequests().stream().map(FakeHub.Request::range).toList();
        long quarter = (Files.size(big) + 3) / 4;
        for (int i = 0; i < 4; i++) {
            assertTrue(ranges.contains("bytes=" + i * quarter + "-" + (Math.min(Files.size(big), (i + 1) * quarter) - 1)), ranges.toString());
        }
        assertTrue(ranges.contains("bytes=5000000-" + (3 * quarter - 1)), "the cut range resumed: " + ranges);
        assertEquals(Files.size(big), hub.bytesServed(REPO, Q4));
    }

    @Test
    void parallelPullThatGivesUpKeepsEveryRangesProgress() throws Exception {
        Path big = TestData.file("models/deepseek2-lite.F32.gguf");
        hub.serve(REPO, Q4, big).cutAt(REPO, Q4, 5_000_000, 1000).throttle(64 * 1024, 5);
        DownloadOptions parallel = new DownloadOptions(4, 1 << 20, Duration.ofSeconds(3), 3, Duration.ofMillis(10));
        StoreException e = assertThrows(StoreException.class, () -> resolver(parallel, events).resolve("deepseek-r1:1.5b", false));
        assertTrue(e.getMessage().endsWith("run the pull again to resume from byte 5000000"), e.getMessage());

        hub.cutAt(REPO, Q4, 0, 0).throttle(0, 0);
        Events second = new Events();
        Path path = resolver(parallel, second).resolve("deepseek-r1:1.5b", false);
        assertEquals(-1, Files.mismatch(big, path));
        long resumedAt = Long.parseLong(second.log.get(1).substring(second.log.get(1).lastIndexOf(' ') + 1));
        assertTrue(resumedAt >= 5_000_000 - 2 * (Files.size(big) / 4), "resumed at " + resumedAt);
    }

    /** Waits until the CDN has been asked for a file: a download is under way. */
    void awaitDownloadStarted() throws InterruptedException {
        for (int i = 0; i < 1000 && cdnRequests().isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertFalse(cdnRequests().isEmpty(), "the first pull never started downloading");
    }

    @Test
    void twoPullsOfTheSameFileDownloadItOnce() throws Exception {
        hub.throttle(16 * 1024, 20);
        Events first = new Events();
        try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
            Future<Path> a = pool.submit(() -> resolver(FAST, first).resolve("deepseek-r1:1.5b", false));
            awaitDownloadStarted();
            Path b = resolver().resolve("deepseek-r1:1.5b", false);
            assertEquals(a.get(), b);
            assertEquals(-1, Files.mismatch(Q4_CONTENT, b));
        }
        assertTrue(events.has("waiting " + Q4), events.log.toString());
        assertFalse(events.has("started"), "the second pull found the file done: " + events.log);
        assertEquals(Files.size(Q4_CONTENT), hub.bytesServed(REPO, Q4), "one download between the two pulls");
    }

    @Test
    void twoProcessesPullingTheSameFileDownloadItOnce() throws Exception {
        hub.throttle(16 * 1024, 20);
        Path childLog = home.resolveSibling(home.getFileName() + "-child.log");
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), PullInAnotherProcess.class.getName(),
                hub.endpoint().toString(), home.toString(), "deepseek-r1:1.5b");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(childLog.toFile()).start();
        try {
            awaitDownloadStarted();
            Path path = resolver().resolve("deepseek-r1:1.5b", false);
            assertEquals(0, child.waitFor(), () -> readQuietly(childLog));
            assertEquals(path.toString(), readQuietly(childLog).strip().lines().toList().getLast());
            assertEquals(-1, Files.mismatch(Q4_CONTENT, path));
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(childLog);
        }
        assertTrue(events.has("waiting " + Q4), events.log.toString());
        assertEquals(Files.size(Q4_CONTENT), hub.bytesServed(REPO, Q4), "one download between the two processes");
    }

    static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void diskTooSmallIsCaughtBeforeDownloading() {
        hub.advertiseSize(REPO, Q4, 1L << 60);
        StoreException e = assertThrows(StoreException.class, () -> resolver().resolve("deepseek-r1:1.5b", false));
        assertTrue(e.getMessage().startsWith("not enough disk space for deepseek-r1:1.5b in " + home + ": it needs 1153 PB, "), e.getMessage());
        assertEquals(List.of(), cdnRequests());
    }

    @Test
    void noNetworkIsOneClearError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + port);
        StoreException e = assertThrows(StoreException.class, () -> resolver(nowhere, null, FAST, events).resolve("deepseek-r1:1.5b", false));
        assertTrue(e.getMessage().startsWith("cannot reach " + nowhere + " (connection refused or no network)"), e.getMessage());
    }

    @Test
    void offlineNeverTouchesTheNetwork() {
        StoreException e = assertThrows(StoreException.class, () -> resolver().resolve("deepseek-r1:7b", true));
        assertEquals("deepseek-r1:7b is not in the store (" + home + ") and offline mode forbids downloading it; "
                + "pull it first with 'jseek pull deepseek-r1:7b'", e.getMessage());
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void localFilesAreUsedWhereTheyAre() throws Exception {
        assertEquals(Q4_CONTENT, resolver().resolve(Q4_CONTENT.toString(), true));
        StoreException e = assertThrows(StoreException.class, () -> resolver().resolve("no/such/model.gguf", true));
        assertEquals("no such file: no/such/model.gguf", e.getMessage());
    }

    @Test
    void removeDeletesTheModelAndItsFolders() throws Exception {
        resolver().resolve("deepseek-r1:1.5b", false);
        ModelResolver r = resolver();
        LocalModel m = r.findLocal("deepseek-r1:1.5b").orElseThrow();
        assertEquals("Q4_K_M", m.quant());
        assertEquals(Files.size(Q4_CONTENT), m.size());
        r.store().remove(m);
        assertEquals(List.of(), storeFiles());
        assertFalse(Files.exists(home.resolve("models/unsloth")));
        assertTrue(r.store().models().isEmpty());
    }

    @Test
    void repositoryPathsMustStayInsideTheStore() {
        ModelStore store = new ModelStore(home);
        assertThrows(StoreException.class, () -> store.modelPath(REPO, "../../escape.gguf"));
        assertThrows(StoreException.class, () -> store.modelPath("../x", "a.gguf"));
    }
}

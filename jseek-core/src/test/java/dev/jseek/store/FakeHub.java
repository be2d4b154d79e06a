package dev.jseek.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An imitation of the Hugging Face hub on 127.0.0.1 for the tests: the file list API
 * ({@code /api/models/OWNER/REPO/tree/main}, paged with Link headers), resolve URLs that redirect
 * to a CDN on a second port with {@code X-Linked-Etag}/{@code X-Linked-Size}, Range requests, gated
 * repositories, and faults to inject: a connection cut at a byte, content that does not match its
 * sha256, a slow or stalling server, a size larger than any disk.
 */
public final class FakeHub implements AutoCloseable {

    /** One request as the servers saw it. */
    public record Request(String server, String method, String path, String range, boolean authorized) {
    }

    private record Served(byte[] content, String sha256) {
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Served> files = new ConcurrentHashMap<>();
    private final Map<String, String> gatedTokens = new ConcurrentHashMap<>();
    private final Map<String, Long> advertisedSizes = new ConcurrentHashMap<>();
    private final Set<String> corrupted = ConcurrentHashMap.newKeySet();
    private final Map<String, long[]> cuts = new ConcurrentHashMap<>();
    private final Map<String, long[]> stalls = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> bytesServed = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger pageSize = new AtomicInteger(1000);
    private volatile int throttleBytes;
    private volatile long throttleMillis;

    private FakeHub() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(loopback, 0);
        cdn = HttpServer.create(loopback, 0);
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.setExecutor(executor);
        cdn.setExecutor(executor);
        hub.start();
        cdn.start();
    }

    public static FakeHub start() {
        try {
            return new FakeHub();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL to give as JSEEK_HF_ENDPOINT. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    /** Serves {@code content} as {@code path} of {@code repo}. */
    public FakeHub serve(String repo, String path, byte[] content) {
        files.put(repo + "/" + path, new Served(content, sha256(content)));
        return this;
    }

    public FakeHub serve(String repo, String path, Path content) {
        try {
            return serve(repo, path, Files.readAllBytes(content));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes {@code repo} answer as a gated repository does: 401 without a token, 403 with a token other than {@code token}. */
    public FakeHub gate(String repo, String token) {
        gatedTokens.put(repo, token);
        return this;
    }

    /** The next {@code times} responses for {@code path} that reach byte {@code offset} of the file stop there, the connection dropped. */
    public FakeHub cutAt(String repo, String path, long offset, int times) {
        cuts.put(repo + "/" + path, new long[] {offset, times});
        return this;
    }

    /** The next response for {@code path} that reaches byte {@code offset} pauses there for {@code millis}. */
    public FakeHub stallAt(String repo, String path, long offset, long millis) {
        stalls.put(repo + "/" + path, new long[] {offset, millis});
        return this;
    }

    /** Serves {@code path} with one byte changed; its listing and headers keep the true sha256. */
    public FakeHub corrupt(String repo, String path) {
        corrupted.add(repo + "/" + path);
        return this;
    }

    /** States {@code size} for {@code path} in its listing and headers, whatever the content. */
    public FakeHub advertiseSize(String repo, String path, long size) {
        advertisedSizes.put(repo + "/" + path, size);
        return this;
    }

    /** Sends file content in pieces of {@code bytes}, {@code millis} apart. */
    public FakeHub throttle(int bytes, long millis) {
        throttleBytes = bytes;
        throttleMillis = millis;
        return this;
    }

    /** Entries per page of the file list. */
    public FakeHub pageSize(int entries) {
        pageSize.set(entries);
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Content bytes the CDN has sent for {@code path} of {@code repo}, all responses together. */
    public long bytesServed(String repo, String path) {
        AtomicLong n = bytesServed.get(repo + "/" + path);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
    }

    private void handleHub(HttpExchange x) throws IOException {
        try (x) {
            String path = URLDecoder.decode(x.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
            String auth = x.getRequestHeaders().getFirst("Authorization");
            requests.add(new Request("hub", x.getRequestMethod(), path, null, auth != null));
            Matcher tree = Pattern.compile("/api/models/([^/]+/[^/]+)/tree/main").matcher(path);
            Matcher resolve = Pattern.compile("/([^/]+/[^/]+)/resolve/main/(.+)").matcher(path);
            String repo = tree.matches() ? tree.group(1) : resolve.matches() ? resolve.group(1) : null;
            if (repo == null || files.keySet().stream().noneMatch(k -> k.startsWith(repo + "/"))) {
                send(x, 404, "Repository not found");
                return;
            }
            String token = gatedTokens.get(repo);
            if (token != null && !("Bearer " + token).equals(auth)) {
                x.getResponseHeaders().set("X-Error-Code", "GatedRepo");
                send(x, auth == null ? 401 : 403, "Access to model " + repo + " is restricted");
                return;
            }
            if (tree.matches()) {
                listTree(x, repo);
                return;
            }
            String key = repo + "/" + resolve.group(2);
            Served f = files.get(key);
            if (f == null) {
                x.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                send(x, 404, "Entry not found");
                return;
            }
            x.getResponseHeaders().set("X-Linked-Etag", "\"" + f.sha256 + "\"");
            x.getResponseHeaders().set("X-Linked-Size", Long.toString(advertisedSize(key, f)));
            x.getResponseHeaders().set("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567");
            x.getResponseHeaders().set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/" + key);
            x.sendResponseHeaders(302, -1);
        }
    }

    private void listTree(HttpExchange x, String repo) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<ObjectNode> entries = new ArrayList<>();
        Set<String> folders = new TreeSet<>();
        for (Map.Entry<String, Served> e : new TreeMap<>(files).entrySet()) {
            if (!e.getKey().startsWith(repo + "/")) {
                continue;
            }
            String path = e.getKey().substring(repo.length() + 1);
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                if (folders.add(path.substring(0, slash))) {
                    entries.add(json.createObjectNode().put("type", "directory").put("oid", "0".repeat(40)).put("size", 0)
                            .put("path", path.substring(0, slash)));
                }
            }
            long size = advertisedSize(e.getKey(), e.getValue());
            ObjectNode file = json.createObjectNode().put("type", "file").put("oid", "1".repeat(40)).put("size", size).put("path", path);
            file.putObject("lfs").put("oid", e.getValue().sha256).put("size", size).put("pointerSize", 134);
            entries.add(file);
        }
        String query = x.getRequestURI().getQuery();
        int from = query != null && query.contains("cursor=") ? Integer.parseInt(query.replaceFirst(".*cursor=(\\d+).*", "$1")) : 0;
        int to = Math.min(entries.size(), from + pageSize.get());
        ArrayNode page = json.createArrayNode();
        entries.subList(from, to).forEach(page::add);
        if (to < entries.size()) {
            x.getResponseHeaders().set("Link", "<" + endpoint() + "/api/models/" + repo + "/tree/main?recursive=true&cursor=" + to + ">; rel=\"next\"");
        }
        x.getResponseHeaders().set("Content-Type", "application/json");
        send(x, 200, json.writeValueAsString(page));
    }

    private void handleCdn(HttpExchange x) throws IOException {
        try (x) {
            String key = URLDecoder.decode(x.getRequestURI().getRawPath(), StandardCharsets.UTF_8).substring("/cdn/".length());
            String range = x.getRequestHeaders().getFirst("Range");
            requests.add(new Request("cdn", x.getRequestMethod(), key, range, x.getRequestHeaders().containsKey("Authorization")));
            Served f = files.get(key);
            if (f == null) {
                send(x, 404, "NoSuchKey");
                return;
            }
            byte[] content = f.content;
            if (corrupted.contains(key)) {
                content = content.clone();
                content[content.length / 2] ^= 1;
            }
            long from = 0;
            long to = content.length;
            Matcher m = range == null ? null : RANGE.matcher(range);
            x.getResponseHeaders().set("Accept-Ranges", "bytes");
            if (m != null && m.matches()) {
                from = Long.parseLong(m.group(1));
                to = m.group(2).isEmpty() ? content.length : Math.min(content.length, Long.parseLong(m.group(2)) + 1);
                if (from >= content.length) {
                    x.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                    x.sendResponseHeaders(416, -1);
                    return;
                }
                x.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + content.length);
                x.sendResponseHeaders(206, to - from);
            } else {
                x.sendResponseHeaders(200, content.length);
            }
            writeBody(x.getResponseBody(), key, content, (int) from, (int) to);
        }
    }

    /** Writes {@code content[from, to)}, applying the faults set for {@code key}. */
    private void writeBody(OutputStream out, String key, byte[] content, int from, int to) throws IOException {
        AtomicLong served = bytesServed.computeIfAbsent(key, k -> new AtomicLong());
        long cutAt = Long.MAX_VALUE;
        long[] cut = cuts.get(key);
        if (cut != null && cut[0] >= from && cut[0] < to && cut[1] > 0) {
            cut[1]--;
            cutAt = cut[0];
        }
        long[] stall = stalls.get(key);
        long stallAt = stall != null && stall[0] >= from && stall[0] < to ? stalls.remove(key)[0] : -1;
        int piece = throttleBytes > 0 ? throttleBytes : 64 * 1024;
        try {
            for (int pos = from; pos < to; ) {
                int end = (int) Math.min(Math.min(to, pos + (long) piece), Math.min(cutAt, stallAt > pos ? stallAt : Long.MAX_VALUE));
                out.write(content, pos, end - pos);
                out.flush();
                served.addAndGet(end - pos);
                pos = end;
                if (pos == cutAt) {
                    throw new IOException("fault: connection cut at byte " + cutAt);
                }
                if (pos == stallAt) {
                    Thread.sleep(stall[1]);
                }
                if (throttleMillis > 0) {
                    Thread.sleep(throttleMillis);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The client went away, or the cut fault: either way this connection is finished.
        }
    }

    private long advertisedSize(String key, Served f) {
        return advertisedSizes.getOrDefault(key, (long) f.content.length);
    }

    private static void send(HttpExchange x, int status, String body) throws IOException {
        if (x.getRequestMethod().equals("HEAD")) {
            x.sendResponseHeaders(status, -1);
            return;
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

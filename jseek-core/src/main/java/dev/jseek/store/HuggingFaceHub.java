package dev.jseek.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of the Hugging Face hub a pull needs: a repository's file list
 * ({@code /api/models/OWNER/REPO/tree/main?recursive=true}, paged by {@code Link} headers), one
 * file's size and sha256 ({@code X-Linked-Size}, {@code X-Linked-Etag} on a HEAD of its resolve
 * URL) and its content ({@code /OWNER/REPO/resolve/main/PATH}, redirected to a CDN, with Range).
 */
public final class HuggingFaceHub {

    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    private static final int MAX_REDIRECTS = 5;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern NEXT_PAGE = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

    /** The body of a 200 or 206 as a stream; the bodies of redirects and errors are dropped. */
    private static final BodyHandler<Flow.Publisher<List<ByteBuffer>>> STREAM_WHEN_OK =
            info -> info.statusCode() == 200 || info.statusCode() == 206 ? BodySubscribers.ofPublisher() : BodySubscribers.replacing(null);

    private final URI endpoint;
    private final String token;
    private final HttpClient http;

    /** {@code token} (HF_TOKEN) may be null; it is sent to the endpoint only, never to the CDN it redirects to. */
    public HuggingFaceHub(URI endpoint, String token) {
        String scheme = endpoint.getScheme();
        if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme) || endpoint.getHost() == null) {
            throw new StoreException("the Hugging Face endpoint must be an http(s) URL, not '" + endpoint + "'");
        }
        String text = endpoint.toString();
        this.endpoint = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.token = token == null || token.isBlank() ? null : token.strip();
        // HTTP/1.1 so that parallel ranges travel on connections of their own, not as streams of one.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Every file of {@code repo} on its main branch, those in folders included. */
    public List<RemoteFile> listFiles(String repo) {
        List<RemoteFile> files = new ArrayList<>();
        URI page = URI.create(endpoint + "/api/models/" + repo + "/tree/main?recursive=true");
        ObjectMapper json = new ObjectMapper();
        while (page != null) {
            HttpResponse<String> r = sendOnce(page, "GET", HttpResponse.BodyHandlers.ofString(), repo, null);
            try {
                for (JsonNode entry : json.readTree(r.body())) {
                    if ("file".equals(entry.path("type").asText())) {
                        JsonNode lfs = entry.path("lfs");
                        files.add(new RemoteFile(repo, entry.get("path").asText(), entry.path("size").asLong(),
                                lfs.isObject() ? lfs.path("oid").textValue() : null));
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw new StoreException(endpoint + " sent a file list for " + repo + " that is not the expected JSON: " + e.getMessage(), e);
            }
            page = r.headers().firstValue("Link").map(NEXT_PAGE::matcher).filter(Matcher::find).map(m -> endpoint.resolve(m.group(1))).orElse(null);
        }
        return files;
    }

    /** {@code path} of {@code repo} as its resolve URL describes it, without downloading it. */
    public RemoteFile fileInfo(String repo, String path) {
        HttpResponse<String> r = sendOnce(resolveUri(repo, path), "HEAD", HttpResponse.BodyHandlers.ofString(), repo, path);
        var headers = r.headers();
        // An LFS file answers with a redirect to its storage and states its size and sha256 in X-Linked-*.
        long size = headers.firstValue("X-Linked-Size").or(() -> headers.firstValue("Content-Length")).map(Long::parseLong).orElse(-1L);
        String sha256 = headers.firstValue("X-Linked-Etag").map(e -> e.replace("\"", "").replaceFirst("^W/", "")).orElse(null);
        if (size < 0) {
            throw new StoreException(endpoint + " does not state the size of " + repo + "/" + path);
        }
        return new RemoteFile(repo, path, size, sha256);
    }

    /**
     * Opens bytes {@code [from, to)} of {@code file}, asking for a range unless {@code from} is
     * negative (the whole file). Answers 200 or 206; a status the user must act on (401, 403, 404)
     * is a {@link StoreException}, other failures an IOException worth retrying.
     */
    HttpResponse<Flow.Publisher<List<ByteBuffer>>> open(RemoteFile file, long from, long to, Duration timeout)
            throws IOException, InterruptedException {
        URI uri = resolveUri(file.repo(), file.path());
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = request(uri, "GET");
            if (from >= 0) {
                b.header("Range", "bytes=" + from + "-" + (to - 1));
            }
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> r = await(http.sendAsync(b.build(), STREAM_WHEN_OK), timeout, uri);
            int status = r.statusCode();
            if (status == 200 || status == 206) {
                return r;
            }
            if (isRedirect(status)) {
                uri = uri.resolve(r.headers().firstValue("Location").orElseThrow(() -> new IOException("redirect without a Location from " + endpoint)));
                continue;
            }
            if (status == 429 || status >= 500) {
                throw new IOException("HTTP " + status + " from " + uri.getHost());
            }
            throw statusError(status, file.repo(), file.path());
        }
        throw new StoreException(endpoint + " redirected " + file.reference() + " more than " + MAX_REDIRECTS + " times");
    }

    private <T> HttpResponse<T> sendOnce(URI uri, String method, BodyHandler<T> handler, String repo, String path) {
        try {
            HttpResponse<T> r = await(http.sendAsync(request(uri, method).build(), handler), CONNECT_TIMEOUT.multipliedBy(3), uri);
            int status = r.statusCode();
            if (status < 400) {
                return r;
            }
            throw statusError(status, repo, path);
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted");
        }
    }

    private static <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> response, Duration timeout, URI uri)
            throws IOException, InterruptedException {
        try {
            return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            response.cancel(true);
            throw new HttpTimeoutException("no answer from " + uri.getHost() + " in " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private HttpRequest.Builder request(URI uri, String method) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", "jseek");
        if (token != null && sameOrigin(uri, endpoint)) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    /** The error for a transport failure: the endpoint cannot be reached at all. */
    private StoreException unreachable(IOException e) {
        String why = e instanceof ConnectException ? "connection refused or no network"
                : e instanceof HttpTimeoutException ? e.getMessage()
                : Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
        return new StoreException("cannot reach " + endpoint + " (" + why + "); check the network or JSEEK_HF_ENDPOINT, "
                + "or use a model already in the store", e);
    }

    private StoreException statusError(int status, String repo, String path) {
        String what = path == null ? repo : repo + "/" + path;
        return switch (status) {
            case 401, 403 -> new StoreException(endpoint + " refused access to " + what + " (HTTP " + status + "): "
                    + (token == null
                            ? "the repository is gated, private or does not exist; for a gated one accept its terms on Hugging Face and set HF_TOKEN"
                            : "HF_TOKEN was sent; check that it is valid and that its account accepted the repository's terms"));
            case 404 -> new StoreException(path == null
                    ? "no repository " + repo + " on " + endpoint + " (HTTP 404)"
                    : "no file " + path + " in " + repo + " on " + endpoint + " (HTTP 404)");
            default -> new StoreException(endpoint + " answered HTTP " + status + " for " + what);
        };
    }

    private URI resolveUri(String repo, String path) {
        StringBuilder sb = new StringBuilder(endpoint + "/" + repo + "/resolve/main");
        for (String segment : path.split("/")) {
            sb.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return URI.create(sb.toString());
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }
}

package dev.jseek.store;

import java.time.Duration;

/**
 * How downloads behave.
 *
 * @param connections  ranges fetched at once for a large file
 * @param parallelFrom the size from which a file is fetched in {@code connections} ranges
 * @param stallTimeout how long a connection may deliver nothing before it is dropped and resumed
 * @param attempts     connections tried in a row for one range without progress before giving up
 * @param retryDelay   the wait before the first retry, doubled for each further one
 */
public record DownloadOptions(int connections, long parallelFrom, Duration stallTimeout, int attempts, Duration retryDelay) {

    public static DownloadOptions defaults() {
        return new DownloadOptions(4, 512L << 20, Duration.ofSeconds(60), 5, Duration.ofSeconds(2));
    }
}

package dev.jseek.tokenizer;

import dev.jseek.gguf.GgufFile;
import dev.jseek.gguf.GgufMetadata;
import dev.jseek.testdata.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizing the 1 MiB mixed text of {@code tokenizer/bench-1mb.txt} in one call, as the
 * speed anchor in its {@code bench.json} measured Hugging Face and libllama. The {@code bytes}
 * counter is input bytes per second: divide by 1e6 for MB/s. {@code cache=cold} starts every
 * call with a fresh tokenizer (empty word cache), {@code warm} reuses one.
 * <pre>./mvnw -B -pl jseek-core -Pbench test -Djmh.args=TokenizerBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenizerBench {

    @Param({"deepseek-v3", "qwen2"})
    public String vocab;

    @Param({"warm", "cold"})
    public String cache;

    private GgufMetadata metadata;
    private Tokenizer tokenizer;
    private String text;
    private long textBytes;

    /** Input bytes tokenized, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Tokenized {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup
    public void setUp() throws IOException {
        try (GgufFile f = GgufFile.open(TestData.file("tokenizer/ggml-vocab-" + vocab + ".gguf"))) {
            metadata = f.metadata();
        }
        tokenizer = Tokenizer.load(metadata);
        text = Files.readString(TestData.file("tokenizer/bench-1mb.txt"));
        textBytes = text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Setup(Level.Invocation)
    public void freshTokenizer() {
        if (cache.equals("cold")) {
            tokenizer = Tokenizer.load(metadata);
        }
    }

    @Benchmark
    public int[] encodeWholeFile(Tokenized tokenized) {
        int[] ids = tokenizer.encode(text, false, true);
        tokenized.bytes += textBytes;
        return ids;
    }
}

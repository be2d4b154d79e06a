package dev.jseek.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.engine.Session;
import dev.jseek.model.Model;
import dev.jseek.tensor.WorkerPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jseek bench}: prefill and decode speed on random token ids, and the memory it took:
 * peak resident set (mapped weights touched + heap + cache) and KV cache bytes per token.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prefill and decode tokens/s and peak memory on random token ids.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-p", "--prompt-tokens"}, paramLabel = "N", description = "Prompt tokens to prefill (default 64).")
    int promptTokens = 64;

    @Option(names = {"-n", "--gen-tokens"}, paramLabel = "N", description = "Tokens to decode (default 32).")
    int genTokens = 32;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", description = "Runs; the best is reported (default 3; the first warms up).")
    int repetitions = 3;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (promptTokens < 1 || genTokens < 1 || repetitions < 1) {
            throw new Cli.UserError("-p, -n and -r must be at least 1");
        }
        int context = modelOptions.contextSize > 0 ? modelOptions.contextSize : promptTokens + genTokens;
        try (WorkerPool pool = modelOptions.pool(); Model model = modelOptions.load(pool, context)) {
            int vocab = model.config().vocabSize();
            SplittableRandom random = new SplittableRandom(7);
            int[] prompt = random.ints(promptTokens, 0, vocab).toArray();
            float[] logits = new float[vocab];
            double bestPrefill = 0;
            double bestDecode = 0;
            Session session = new Session(model, modelOptions.kvCacheType());
            for (int r = 0; r < repetitions; r++) {
                session.clear();
                long t0 = System.nanoTime();
                session.prefill(prompt, logits);
                long t1 = System.nanoTime();
                int[] one = new int[1];
                for (int i = 0; i < genTokens; i++) {
                    one[0] = random.nextInt(vocab);
                    session.append(one, 0, 1, logits);
                }
                long t2 = System.nanoTime();
                bestPrefill = Math.max(bestPrefill, promptTokens / ((t1 - t0) / 1e9));
                bestDecode = Math.max(bestDecode, genTokens / ((t2 - t1) / 1e9));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("model", model.file().source());
            result.put("file_bytes", model.file().size());
            result.put("threads", pool.threads());
            result.put("kv_type", modelOptions.kvCacheType().name());
            result.put("prompt_tokens", promptTokens);
            result.put("gen_tokens", genTokens);
            result.put("prefill_tps", round(bestPrefill));
            result.put("decode_tps", round(bestDecode));
            result.put("kv_bytes_per_token", kvBytesPerToken(model));
            result.put("peak_rss_bytes", procStatus("VmHWM"));
            result.put("heap_used_bytes", Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(result));
            } else {
                result.forEach((k, v) -> out.printf("%-20s %s%n", k, v));
            }
            out.flush();
        }
        return 0;
    }

    private long kvBytesPerToken(Model model) {
        int element = modelOptions.kvCacheType() == dev.jseek.model.KvCache.Type.F32 ? 4 : 2;
        return (long) model.config().layers() * (model.config().cacheKeyWidth() + model.config().cacheValueWidth()) * element;
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }

    /** A value of /proc/self/status in bytes (e.g. VmHWM, the peak resident set), or -1 where there is none. */
    private static long procStatus(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}

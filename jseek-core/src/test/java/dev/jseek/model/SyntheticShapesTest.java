package dev.jseek.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.gguf.GgufFile;
import dev.jseek.gguf.GgufValue;
import dev.jseek.gguf.GgufWriter;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.Tensor;
import dev.jseek.tensor.WorkerPool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shapes the shared files do not cover (other head counts, GQA ratios, head sizes, tied and
 * untied outputs, RoPE bases, expert layouts and groups, q compression on and off): the engine,
 * batched and token by token, against the independent float64 {@link ReferenceForward}, on
 * random weights written by {@link SyntheticModel}. For deepseek2 this is also the absorbed
 * latent attention against the decompressed form.
 */
class SyntheticShapesTest {

    private static final WorkerPool POOL = new WorkerPool(3);
    private static final MatMul MATMUL = new MatMul(POOL);
    private static final int[] PROMPT = {5, 300, 17, 256, 99, 42, 7, 480, 133, 64, 2, 311, 77, 150};

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static Stream<String> shapes() {
        return SyntheticModel.SHAPES.stream().map(SyntheticModel.Shape::name).filter(n -> n.startsWith("tiny-"));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void engineMatchesTheReference(String name, @TempDir Path dir) throws IOException {
        Path file = dir.resolve(name + ".gguf");
        SyntheticModel.write(SyntheticModel.shape(name), SyntheticModel.Scheme.of("F32"), 11, file);
        try (Model model = ModelLoader.load(file, MATMUL, new ModelLoader.Options(64, 5));
             GgufFile raw = GgufFile.open(file)) {
            int vocab = model.config().vocabSize();
            ReferenceForward ref = new ReferenceForward(raw);
            double[][] expected = new double[PROMPT.length][];
            for (int i = 0; i < PROMPT.length; i++) {
                expected[i] = ref.next(PROMPT[i]);
            }
            // Batched prefill (in batches of 5, so batches meet the cache) ...
            float[] batched = new float[PROMPT.length * vocab];
            model.forward(PROMPT, 0, PROMPT.length, 0, model.newCache(KvCache.Type.F32), batched, true);
            // ... and one token at a time.
            KvCache cache = model.newCache(KvCache.Type.F32);
            float[] row = new float[vocab];
            double worstBatched = 0;
            double worstSingle = 0;
            double scale = 0;
            for (int i = 0; i < PROMPT.length; i++) {
                model.forward(PROMPT, i, 1, i, cache, row, false);
                for (int v = 0; v < vocab; v++) {
                    scale = Math.max(scale, Math.abs(expected[i][v]));
                    worstBatched = Math.max(worstBatched, Math.abs(batched[i * vocab + v] - expected[i][v]));
                    worstSingle = Math.max(worstSingle, Math.abs(row[v] - expected[i][v]));
                }
            }
            assertTrue(scale > 0.1, name + ": logits are too small to tell anything (" + scale + ")");
            assertTrue(worstBatched <= 1e-3, name + ": batched prefill differs from the reference by " + worstBatched);
            assertTrue(worstSingle <= 1e-3, name + ": token-by-token decode differs from the reference by " + worstSingle);
        }
    }

    /**
     * DeepSeek-V3/R1 files end with multi-token-prediction layers (nextn_predict_layers) that plain
     * decoding skips: a file with one more such layer computes exactly what the file without it does.
     */
    @Test
    void nextnLayersAreSkipped(@TempDir Path dir) throws IOException {
        Path plain = dir.resolve("plain.gguf");
        SyntheticModel.write(SyntheticModel.shape("tiny-deepseek2"), SyntheticModel.Scheme.of("F32"), 5, plain);
        Path withNextn = dir.resolve("nextn.gguf");
        try (GgufFile f = GgufFile.open(plain)) {
            int layers = f.metadata().getInt("deepseek2.block_count");
            GgufWriter w = new GgufWriter().putAll(f.metadata())
                    .put("deepseek2.block_count", GgufValue.ofUint32(layers + 1))
                    .put("deepseek2.nextn_predict_layers", GgufValue.ofUint32(1));
            String last = "blk." + (layers - 1) + ".";
            for (Tensor t : f.tensors()) {
                w.add(t);
                if (t.name().startsWith(last)) {
                    w.add(new Tensor("blk." + layers + "." + t.name().substring(last.length()), t.type(), t.shape(), t.data()));
                }
            }
            Tensor embedding = f.tensor("token_embd.weight");
            w.add(new Tensor("blk." + layers + ".nextn.embed_tokens.weight", embedding.type(), embedding.shape(), embedding.data()));
            w.write(withNextn);
        }
        try (Model a = ModelLoader.load(plain, MATMUL, new ModelLoader.Options(32, 8));
             Model b = ModelLoader.load(withNextn, MATMUL, new ModelLoader.Options(32, 8))) {
            assertEquals(a.config().layers(), b.config().layers());
            int vocab = a.config().vocabSize();
            float[] x = new float[PROMPT.length * vocab];
            float[] y = new float[PROMPT.length * vocab];
            a.forward(PROMPT, 0, PROMPT.length, 0, a.newCache(KvCache.Type.F32), x, true);
            b.forward(PROMPT, 0, PROMPT.length, 0, b.newCache(KvCache.Type.F32), y, true);
            assertArrayEquals(x, y);
        }
    }
}

package dev.jseek.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jseek.testdata.TestData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a user may call a model: built-in names, references, quant tags in file names. */
class PullNamesTest {

    final ModelCatalog catalog = ModelCatalog.builtIn();

    @Test
    void catalogHasTheIssuesNamesEachWithRepoLicenceAndKind() {
        List<String> names = catalog.entries().stream().map(ModelCatalog.Entry::name).toList();
        assertEquals(List.of("deepseek-r1:1.5b", "deepseek-r1:7b", "deepseek-r1:8b", "deepseek-r1:14b", "deepseek-r1:32b", "deepseek-r1:70b",
                "deepseek-r1:8b-0528", "deepseek-v2-lite", "deepseek-coder-v2-lite", "deepseek-v3", "deepseek-r1:671b"), names);
        for (ModelCatalog.Entry e : catalog.entries()) {
            assertTrue(ModelReference.REPO.matcher(e.repo()).matches(), e.repo());
            assertEquals("Q4_K_M", e.quant(), e.name());
            assertFalse(e.licence().isBlank(), e.name());
            assertEquals(e.name().startsWith("deepseek-r1:") && !e.name().equals("deepseek-r1:671b"), e.isDistill(), e.name());
            assertTrue(catalog.approximateSize(e, e.quant()).isPresent(), e.name());
        }
    }

    @Test
    void approximateSizesFollowParametersAndBits() {
        // 1.78e9 weights at 4.85 bits and 671e9 at 4.85 bits.
        assertEquals(1_079_125_000L, catalog.approximateSize(catalog.find("deepseek-r1:1.5b").orElseThrow(), "Q4_K_M").getAsLong());
        assertEquals(406_793_750_000L, catalog.approximateSize(catalog.find("deepseek-r1:671b").orElseThrow(), "q4_k_m").getAsLong());
        assertEquals(1_891_250_000L, catalog.approximateSize(catalog.find("deepseek-r1:1.5b").orElseThrow(), "Q8_0").getAsLong());
        assertTrue(catalog.approximateSize(catalog.find("deepseek-r1:1.5b").orElseThrow(), "IQ1_S").isEmpty());
    }

    @Test
    void referencesParse() {
        assertEquals(new ModelReference.Alias("deepseek-r1:7b", new ModelReference.RepoQuant("unsloth/DeepSeek-R1-Distill-Qwen-7B-GGUF", "Q4_K_M")),
                ModelReference.parse("deepseek-r1:7b", catalog));
        assertEquals(new ModelReference.Alias("deepseek-r1:7b:Q8_0", new ModelReference.RepoQuant("unsloth/DeepSeek-R1-Distill-Qwen-7B-GGUF", "Q8_0")),
                ModelReference.parse("DeepSeek-R1:7B:q8_0", catalog));
        assertEquals(new ModelReference.Alias("deepseek-v3:UD-Q2_K_XL", new ModelReference.RepoQuant("unsloth/DeepSeek-V3-GGUF", "UD-Q2_K_XL")),
                ModelReference.parse("deepseek-v3:ud-q2_k_xl", catalog));
        assertEquals(new ModelReference.RepoQuant("bartowski/Some-Model-GGUF", "Q5_K_M"), ModelReference.parse("bartowski/Some-Model-GGUF:q5_k_m", catalog));
        assertEquals(new ModelReference.RepoFile("unsloth/DeepSeek-R1-GGUF", "DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M-00001-of-00009.gguf"),
                ModelReference.parse("hf://unsloth/DeepSeek-R1-GGUF/DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M-00001-of-00009.gguf", catalog));
        assertEquals(new ModelReference.RepoFile("unsloth/DeepSeek-R1-GGUF", "DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M-00001-of-00009.gguf"),
                ModelReference.parse("hf://unsloth/DeepSeek-R1-GGUF/DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M-00007-of-00009.gguf", catalog),
                "a later part names the same model");
        Path shared = TestData.file("models/qwen2.Q4_0.gguf");
        assertEquals(new ModelReference.LocalFile(shared), ModelReference.parse(shared.toString(), catalog));
        assertEquals(new ModelReference.LocalFile(Path.of("not-yet/there.gguf")), ModelReference.parse("not-yet/there.gguf", catalog));
    }

    @Test
    void badReferencesSayWhatIsExpected() {
        StoreException unknown = assertThrows(StoreException.class, () -> ModelReference.parse("deepseek-r2", catalog));
        assertEquals("unknown model 'deepseek-r2': not a built-in name (see 'jseek pull --list'), "
                + "an OWNER/REPO:QUANT or hf://OWNER/REPO/FILE.gguf reference, or a file", unknown.getMessage());
        for (String bad : List.of("hf://owner/repo", "hf://owner/repo/model.bin", "hf://owner/repo/../../x.gguf", "hf://x/model.gguf")) {
            StoreException e = assertThrows(StoreException.class, () -> ModelReference.parse(bad, catalog), bad);
            assertEquals("'" + bad + "' is not a file reference; write hf://OWNER/REPO/FILE.gguf", e.getMessage());
        }
    }

    @Test
    void quantTagsInFileNames() {
        assertEquals("Q4_K_M", Quantization.of("DeepSeek-R1-Distill-Qwen-1.5B-Q4_K_M.gguf"));
        assertEquals("Q8_0", Quantization.of("qwen2.5-7b-instruct-q8_0.gguf"));
        assertEquals("Q4_K_M", Quantization.of("DeepSeek-V2-Lite-Chat.Q4_K_M.gguf"));
        assertEquals("UD-Q2_K_XL", Quantization.of("DeepSeek-R1-UD-Q2_K_XL-00001-of-00005.gguf"));
        assertEquals("IQ2_XXS", Quantization.of("DeepSeek-R1-0528-Qwen3-8B-IQ2_XXS.gguf"));
        assertEquals("BF16", Quantization.of("DeepSeek-V3-BF16-00001-of-00030.gguf"));
        assertEquals("F16", Quantization.of("model-f16.gguf"));
        assertNull(Quantization.of("DeepSeek-R1-Distill-Qwen-1.5B.gguf"));
    }

    @Test
    void quantPickedFromAListing() {
        String repo = "unsloth/DeepSeek-R1-GGUF";
        List<RemoteFile> listing = List.of(
                new RemoteFile(repo, "README.md", 10, null),
                new RemoteFile(repo, "DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M-00002-of-00002.gguf", 5, "b"),
                new RemoteFile(repo, "DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M-00001-of-00002.gguf", 5, "a"),
                new RemoteFile(repo, "DeepSeek-R1-UD-Q4_K_M/DeepSeek-R1-UD-Q4_K_M-00001-of-00001.gguf", 5, "c"),
                new RemoteFile(repo, "DeepSeek-R1-Q8_0/DeepSeek-R1-Q8_0-00001-of-00002.gguf", 5, "d"));
        assertEquals(List.of("a", "b"), ModelResolver.pickQuant(repo, "q4_k_m", listing).stream().map(RemoteFile::sha256).toList());
        assertEquals(List.of("c"), ModelResolver.pickQuant(repo, "UD-Q4_K_M", listing).stream().map(RemoteFile::sha256).toList());
        StoreException partial = assertThrows(StoreException.class, () -> ModelResolver.pickQuant(repo, "Q8_0", listing));
        assertEquals(repo + " lists 1 of the 2 parts of DeepSeek-R1-Q8_0", partial.getMessage());

        List<RemoteFile> twoQ4 = List.of(new RemoteFile(repo, "a-Q4_K_M.gguf", 1, null), new RemoteFile(repo, "b-Q4_K_M.gguf", 1, null));
        StoreException several = assertThrows(StoreException.class, () -> ModelResolver.pickQuant(repo, "Q4_K_M", twoQ4));
        assertEquals(repo + " has several Q4_K_M models (a-Q4_K_M.gguf, b-Q4_K_M.gguf); name one with hf://" + repo + "/FILE.gguf", several.getMessage());
    }

    @Test
    void byteSizes() {
        assertEquals("999 B", ByteSize.format(999));
        assertEquals("1.00 kB", ByteSize.format(1000));
        assertEquals("1.12 GB", ByteSize.format(1_117_321_312L));
        assertEquals("42.5 GB", ByteSize.format(42_520_000_000L));
        assertEquals("407 GB", ByteSize.format(406_793_750_000L));
        assertEquals("1.00 MB", ByteSize.format(999_999));
    }
}

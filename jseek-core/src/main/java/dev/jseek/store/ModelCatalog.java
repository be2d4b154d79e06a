package dev.jseek.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** The built-in model names ({@code deepseek-r1:7b}, ...), read from {@code models.json} beside this class. */
public final class ModelCatalog {

    /**
     * One built-in name.
     *
     * @param quant   the default quantization
     * @param about   the model's own name and shape, e.g. "DeepSeek-R1-Distill-Qwen-7B"
     * @param base    for a distill, the model DeepSeek-R1 was distilled into; null for DeepSeek's own
     * @param licence the weights' licence, and the base's for a distill
     */
    public record Entry(String name, String repo, String quant, double parameters, String about, String base, String licence) {

        public boolean isDistill() {
            return base != null;
        }
    }

    private final List<Entry> entries;
    private final Map<String, Double> bitsPerWeight;

    ModelCatalog(List<Entry> entries, Map<String, Double> bitsPerWeight) {
        this.entries = List.copyOf(entries);
        this.bitsPerWeight = Map.copyOf(bitsPerWeight);
    }

    /** The table shipped with jseek. */
    public static ModelCatalog builtIn() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream("models.json")) {
            if (in == null) {
                throw new IllegalStateException("models.json is missing from the jseek build");
            }
            return parse(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in models.json", e);
        }
    }

    private static ModelCatalog parse(JsonNode root) {
        Map<String, Double> bits = new HashMap<>();
        root.path("bits_per_weight").properties().forEach(e -> bits.put(e.getKey(), e.getValue().asDouble()));
        List<Entry> entries = new ArrayList<>();
        for (JsonNode m : root.path("models")) {
            entries.add(new Entry(m.get("name").asText(), m.get("repo").asText(), m.get("quant").asText(),
                    m.get("parameters").asDouble(), m.get("about").asText(), m.path("base").textValue(), m.get("licence").asText()));
        }
        return new ModelCatalog(entries, bits);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The entry named {@code name}, ignoring case. */
    public Optional<Entry> find(String name) {
        return entries.stream().filter(e -> e.name().equalsIgnoreCase(name)).findFirst();
    }

    /** The name under which {@code quant} of {@code repo} is known: the entry's, with {@code :QUANT} unless it is the default. */
    public Optional<String> nameOf(String repo, String quant) {
        return entries.stream().filter(e -> e.repo().equalsIgnoreCase(repo)).findFirst()
                .map(e -> e.quant().equalsIgnoreCase(quant) ? e.name() : e.name() + ":" + quant.toUpperCase(Locale.ROOT));
    }

    /** An estimate of the file size of {@code entry} in {@code quant}, when the quant's bits per weight are known. */
    public OptionalLong approximateSize(Entry entry, String quant) {
        Double bits = bitsPerWeight.get(quant.toUpperCase(Locale.ROOT));
        return bits == null ? OptionalLong.empty() : OptionalLong.of(Math.round(entry.parameters() * bits / 8));
    }
}

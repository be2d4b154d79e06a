package dev.jseek.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jseek.gguf.GgufFile;
import dev.jseek.gguf.GgufValue;
import dev.jseek.gguf.GgufValue.GgufArray;
import dev.jseek.gguf.GgufValueType;
import dev.jseek.tensor.Tensor;
import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jseek inspect}: a GGUF file's metadata and tensor table, like gguf-dump. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a GGUF file's architecture, metadata and tensor table.")
final class InspectCommand implements Callable<Integer> {

    /** Arrays longer than this are shown by their first elements and their length. */
    private static final int ARRAY_HEAD = 8;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "The GGUF file.")
    Path model;

    @Option(names = "--json", description = "Print one JSON object (tensors: name, type, shape, offset, bytes).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (GgufFile f = GgufFile.open(Cli.existingFile(model))) {
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(mapper, f)));
            } else {
                printText(out, f);
            }
            out.flush();
        }
        return 0;
    }

    private static void printText(PrintWriter out, GgufFile f) {
        out.printf("file:          %s%n", f.source());
        out.printf("format:        GGUF v%d, %,d bytes, alignment %d, data at byte %d%n",
                f.version(), f.size(), f.alignment(), f.dataOffset());
        out.printf("architecture:  %s%n", f.architecture() == null ? "(none)" : f.architecture());
        out.printf("%nmetadata (%d keys):%n", f.metadata().asMap().size());
        int keyWidth = f.metadata().asMap().keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, GgufValue> e : f.metadata().asMap().entrySet()) {
            out.printf("  %-" + keyWidth + "s  %-8s %s%n", e.getKey(), typeName(e.getValue()), valueText(e.getValue()));
        }
        out.printf("%ntensors (%d, %,d bytes):%n", f.tensors().size(),
                f.tensors().stream().mapToLong(t -> t.data().byteSize()).sum());
        int nameWidth = Math.max(4, f.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(0));
        out.printf("  %-" + nameWidth + "s  %-7s %-22s %12s %12s%n", "name", "type", "shape", "offset", "bytes");
        for (Tensor t : f.tensors()) {
            out.printf("  %-" + nameWidth + "s  %-7s %-22s %12d %12d%n", t.name(), t.type(), shapeText(t.shape()),
                    f.dataOffset() + f.tensorOffset(t), t.data().byteSize());
        }
    }

    private static ObjectNode toJson(ObjectMapper mapper, GgufFile f) {
        ObjectNode root = mapper.createObjectNode();
        root.put("file", f.source());
        root.put("version", f.version());
        root.put("size", f.size());
        root.put("alignment", f.alignment());
        root.put("data_offset", f.dataOffset());
        root.put("architecture", f.architecture());
        ObjectNode metadata = root.putObject("metadata");
        f.metadata().asMap().forEach((k, v) -> {
            if (v.value() instanceof GgufArray a) {
                ObjectNode summary = metadata.putObject(k);
                summary.put("type", "ARRAY");
                summary.put("element_type", a.elementType().name());
                summary.put("length", a.length());
                ArrayNode head = summary.putArray("head");
                for (int i = 0; i < Math.min(ARRAY_HEAD, a.length()); i++) {
                    head.add(String.valueOf(Array.get(a.values(), i)));
                }
            } else {
                switch (v.type()) {
                    case STRING -> metadata.put(k, (String) v.value());
                    case BOOL -> metadata.put(k, (Boolean) v.value());
                    case FLOAT32 -> metadata.put(k, (Float) v.value());
                    case FLOAT64 -> metadata.put(k, (Double) v.value());
                    case UINT64 -> metadata.put(k, new java.math.BigInteger(Long.toUnsignedString(v.asLong())));
                    default -> metadata.put(k, v.asLong());
                }
            }
        });
        ArrayNode tensors = root.putArray("tensors");
        for (Tensor t : f.tensors()) {
            ObjectNode o = tensors.addObject();
            o.put("name", t.name());
            o.put("type", t.type().name());
            ArrayNode shape = o.putArray("shape");
            Arrays.stream(t.shape()).forEach(shape::add);
            o.put("offset", f.dataOffset() + f.tensorOffset(t));
            o.put("bytes", t.data().byteSize());
        }
        return root;
    }

    private static String typeName(GgufValue v) {
        return v.value() instanceof GgufArray a ? a.elementType() + "[]" : v.type().name();
    }

    private static String valueText(GgufValue v) {
        if (!(v.value() instanceof GgufArray a)) {
            return v.type() == GgufValueType.STRING ? quoted((String) v.value()) : v.toString();
        }
        int n = a.length();
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(ARRAY_HEAD, n); i++) {
            Object x = Array.get(a.values(), i);
            sb.append(i == 0 ? "" : ", ").append(x instanceof String s ? quoted(s) : String.valueOf(x));
        }
        return sb.append(n > ARRAY_HEAD ? ", ... (" + n + " in all)]" : "]").toString();
    }

    /** A string shown on one line, shortened when long (chat templates run to kilobytes). */
    private static String quoted(String s) {
        String oneLine = s.chars().mapToObj(c -> c == '\n' ? "\\n" : c < 0x20 ? String.format("\\x%02x", c) : String.valueOf((char) c))
                .collect(Collectors.joining());
        return "\"" + (oneLine.length() > 80 ? oneLine.substring(0, 77) + "..." : oneLine) + "\"";
    }

    private static String shapeText(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(" x "));
    }
}

package dev.jseek.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jseek.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jseek tokenize}: the token ids of a text, with each token's piece, like llama-tokenize. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Print the token ids of a text and the piece of text each stands for.",
                "The text is TEXT, the contents of --file, or standard input; --batch tokenizes one JSON object per line."})
final class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "The GGUF file whose tokenizer to use.")
    Path model;

    @Option(names = "--json", description = "Print {\"ids\":[...]} instead of one line per token.")
    boolean json;

    @Option(names = "--special", description = "Turn special-token texts such as <|im_start|> into their tokens "
            + "(by default they are plain text, as user input must be).")
    boolean special;

    @Option(names = "--no-bos", description = "Do not add the BOS token the model asks for.")
    boolean noBos;

    @Option(names = "--file", paramLabel = "FILE", description = "Tokenize the contents of FILE (UTF-8).")
    Path file;

    @Option(names = "--batch", paramLabel = "FILE.jsonl",
            description = "Tokenize each line's {\"text\": ...}; print one {\"ids\":[...]} per line, in order.")
    Path batch;

    @Parameters(arity = "0..1", paramLabel = "TEXT", description = "The text (non-ASCII text is safer in a file or on standard input).")
    String text;

    @Override
    public Integer call() throws IOException {
        int sources = (text != null ? 1 : 0) + (file != null ? 1 : 0) + (batch != null ? 1 : 0);
        if (sources > 1) {
            throw new Cli.UserError("give only one of TEXT, --file and --batch");
        }
        List<String> batchTexts = batch != null ? readBatch(Cli.existingFile(batch)) : null;
        Tokenizer tokenizer = TokenizerLoader.load(model);
        PrintWriter out = spec.commandLine().getOut();
        if (batchTexts != null) {
            for (String t : batchTexts) {
                out.println(idsJson(tokenizer.encode(t, !noBos, special)));
            }
        } else {
            String input = text != null ? text
                    : file != null ? utf8(Files.readAllBytes(Cli.existingFile(file)), file.toString())
                    : utf8(readStdin(), "standard input");
            int[] ids = tokenizer.encode(input, !noBos, special);
            if (json) {
                out.println(idsJson(ids));
            } else {
                for (int id : ids) {
                    out.printf("%6d -> '%s'%n", id, printable(tokenizer.pieceBytes(id, true)));
                }
            }
        }
        out.flush();
        return 0;
    }

    /** The {@code text} of every line, checked before anything is printed. */
    private static List<String> readBatch(Path path) throws IOException {
        String[] lines = utf8(Files.readAllBytes(path), path.toString()).split("\r?\n", -1);
        int count = lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
        ObjectMapper mapper = new ObjectMapper();
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String problem;
            try {
                JsonNode node = mapper.readTree(lines[i]);
                if (node != null && node.isObject() && node.path("text").isTextual()) {
                    texts.add(node.get("text").asText());
                    continue;
                }
                problem = "expected a JSON object with a string field \"text\"";
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                problem = "not valid JSON (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")";
            }
            throw new Cli.UserError(path + " line " + (i + 1) + ": " + problem);
        }
        return texts;
    }

    private static byte[] readStdin() throws IOException {
        try (InputStream in = System.in) {
            return in.readAllBytes();
        }
    }

    private static String utf8(byte[] bytes, String source) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Cli.UserError(source + " is not valid UTF-8 text");
        }
    }

    private static String idsJson(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length * 7 + 10).append("{\"ids\":[");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ",").append(ids[i]);
        }
        return sb.append("]}").toString();
    }

    /**
     * A piece on one line: control characters and backslashes escaped, and bytes that are no whole
     * UTF-8 character (a token may hold part of one) as {@code \xNN}.
     */
    private static String printable(byte[] piece) {
        StringBuilder sb = new StringBuilder();
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(piece);
        CharBuffer chars = CharBuffer.allocate(piece.length);
        while (true) {
            CoderResult result = decoder.decode(in, chars, true);
            chars.flip();
            chars.codePoints().forEach(cp -> appendEscaped(sb, cp));
            chars.clear();
            if (!result.isError()) {
                return sb.toString();
            }
            for (int i = 0; i < result.length(); i++) {
                sb.append(String.format("\\x%02x", in.get() & 0xFF));
            }
        }
    }

    private static void appendEscaped(StringBuilder sb, int cp) {
        switch (cp) {
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            case '\\' -> sb.append("\\\\");
            default -> {
                if (cp < 0x20 || cp == 0x7F) {
                    sb.append(String.format("\\x%02x", cp));
                } else {
                    sb.appendCodePoint(cp);
                }
            }
        }
    }
}

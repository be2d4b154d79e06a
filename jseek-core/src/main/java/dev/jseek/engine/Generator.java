package dev.jseek.engine;

import dev.jseek.sample.Sampler;
import dev.jseek.sample.SamplingParams;
import dev.jseek.tokenizer.StreamingDecoder;
import dev.jseek.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Prefill, then the decode loop: sample, stream the text, stop at an end-of-generation token, a
 * stop string, the token limit, the end of the context, or when the caller cancels.
 */
public final class Generator {

    public enum StopReason { END_OF_GENERATION, STOP_STRING, MAX_TOKENS, CONTEXT_FULL, CANCELLED }

    /**
     * @param maxTokens  most tokens to generate (negative: until the context is full)
     * @param ignoreEos  keep going past end-of-generation tokens
     */
    public record Request(int[] promptIds, SamplingParams sampling, int maxTokens, List<String> stopStrings, boolean ignoreEos) {
    }

    public record Result(int[] ids, String text, StopReason stopReason, int promptTokens, int reusedTokens,
                         long prefillNanos, long decodeNanos) {

        /** Prompt tokens evaluated per second (reused ones excluded). */
        public double prefillTokensPerSecond() {
            int evaluated = promptTokens - reusedTokens;
            return prefillNanos == 0 ? 0 : evaluated / (prefillNanos / 1e9);
        }

        /** Generated tokens per second, counting the forward passes after the first token. */
        public double decodeTokensPerSecond() {
            return decodeNanos == 0 || ids.length < 2 ? 0 : (ids.length - 1) / (decodeNanos / 1e9);
        }
    }

    private final Tokenizer tokenizer;

    public Generator(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Generates into {@code session}, passing each piece of finished text to {@code onText}. */
    public Result generate(Session session, Request request, Consumer<String> onText, BooleanSupplier cancelled) {
        int vocab = session.model().config().vocabSize();
        float[] logits = new float[vocab];
        Sampler sampler = new Sampler(request.sampling(), vocab, session.model().contextCapacity());
        long start = System.nanoTime();
        int reused = session.prefill(request.promptIds(), logits);
        for (int id : request.promptIds()) {
            sampler.accept(id);
        }
        long prefillDone = System.nanoTime();

        StreamingDecoder decoder = tokenizer.streamingDecoder(false);
        StopMatcher stops = new StopMatcher(request.stopStrings());
        StringBuilder text = new StringBuilder();
        int[] generated = new int[Math.max(16, Math.min(request.maxTokens() < 0 ? 1024 : request.maxTokens(), 1 << 16))];
        int count = 0;
        int[] one = new int[1];
        StopReason reason;
        while (true) {
            if (cancelled.getAsBoolean()) {
                reason = StopReason.CANCELLED;
                break;
            }
            if (request.maxTokens() >= 0 && count >= request.maxTokens()) {
                reason = StopReason.MAX_TOKENS;
                break;
            }
            int next = sampler.sample(logits);
            sampler.accept(next);
            if (count == generated.length) {
                generated = Arrays.copyOf(generated, generated.length * 2);
            }
            generated[count++] = next;
            if (!request.ignoreEos() && tokenizer.vocabulary().isEndOfGeneration(next)) {
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            String piece = stops.accept(decoder.accept(next));
            emit(piece, text, onText);
            if (stops.stopped()) {
                reason = StopReason.STOP_STRING;
                break;
            }
            if (session.remaining() == 0) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            if (request.maxTokens() >= 0 && count >= request.maxTokens()) {
                reason = StopReason.MAX_TOKENS;
                break;
            }
            one[0] = next;
            session.append(one, 0, 1, logits);
        }
        if (reason != StopReason.STOP_STRING) {
            emit(stops.accept(decoder.finish()), text, onText);
            emit(stops.finish(), text, onText);
        }
        long end = System.nanoTime();
        return new Result(Arrays.copyOf(generated, count), text.toString(), reason, request.promptIds().length, reused,
                prefillDone - start, end - prefillDone);
    }

    private static void emit(String piece, StringBuilder text, Consumer<String> onText) {
        if (!piece.isEmpty()) {
            text.append(piece);
            onText.accept(piece);
        }
    }
}

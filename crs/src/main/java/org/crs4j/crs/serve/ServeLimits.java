package org.crs4j.crs.serve;

import java.time.Duration;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.generation.ContextWindow;
import org.crs4j.models.llama.Llama;

/**
 * Every bound the server enforces, in one place, so that a request can never make it allocate, compute or wait
 * without limit. The defaults fit the 2-core, 24 GiB development machine; {@code crs4j serve} options change them.
 *
 * @param maxBodyBytes   largest request body read (413 beyond): a chat of a few thousand tokens is tens of KB
 * @param maxTokens      largest {@code max_tokens} a request may ask for (400 beyond); also caps the default of chat
 * @param maxBatch       rows (prompts × n) decoded together in one KV-cached batch: the concurrent generations of a
 *                       model; a request may not have more rows than this
 * @param maxQueue       rows waiting for a batch; a request that does not fit gets 429 with {@code Retry-After}
 * @param gatherWindow   how long an idle model waits after the first request for others to batch with it
 * @param requestTimeout a request still queued or generating after this long is ended (504, or an SSE error event)
 * @param maxConnections concurrent HTTP exchanges (each on its own virtual thread); more wait in the OS backlog
 * @param idleTimeout    a connection on which nothing moves for this long is closed (a client that stops sending its
 *                       body or reading its stream); a request waiting for its generation is not idle
 */
public record ServeLimits(long maxBodyBytes, int maxTokens, int maxBatch, int maxQueue, Duration gatherWindow,
                          Duration requestTimeout, int maxConnections, Duration idleTimeout) {

    /** Most stop strings in a request, as OpenAI allows. */
    public static final int MAX_STOP_STRINGS = 4;
    /** Longest stop string, in characters (the matcher holds back at most this much text). */
    public static final int MAX_STOP_LENGTH = 256;
    /** Most prompts in one /v1/completions request, and most choices (n). */
    public static final int MAX_CHOICES = 64;
    /** JSON nesting deeper than this is refused by the parser before it builds anything. */
    public static final int MAX_JSON_DEPTH = 32;
    /**
     * The bound the server puts on T5, whose relative positions have no hard end: the models were trained on inputs of
     * 512 tokens (Hugging Face's T5Config.n_positions); the encoder input and the output are each bounded by it.
     */
    public static final int T5_CONTEXT = 512;

    public ServeLimits {
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("--max-body: must be at least 1024 bytes, got " + maxBodyBytes);
        if (maxTokens < 1) throw new IllegalArgumentException("--max-tokens: must be >= 1, got " + maxTokens);
        if (maxBatch < 1 || maxBatch > 256) throw new IllegalArgumentException("--batch: must be in 1..256, got " + maxBatch);
        if (maxQueue < 0) throw new IllegalArgumentException("--queue: must be >= 0, got " + maxQueue);
        if (gatherWindow.isNegative()) throw new IllegalArgumentException("--batch-window-ms: must be >= 0, got " + gatherWindow);
        if (requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("--timeout: must be > 0, got " + requestTimeout);
        if (maxConnections < 1) throw new IllegalArgumentException("--max-connections: must be >= 1, got " + maxConnections);
        if (idleTimeout.toMillis() < 1) throw new IllegalArgumentException("idle timeout: must be at least 1 ms, got " + idleTimeout);
    }

    public static ServeLimits defaults() {
        return new ServeLimits(1 << 20, 2048, 8, 32, Duration.ofMillis(10), Duration.ofMinutes(5), 256, Duration.ofSeconds(30));
    }

    public ServeLimits withBatch(int batch, int queue) {
        return new ServeLimits(maxBodyBytes, maxTokens, batch, queue, gatherWindow, requestTimeout, maxConnections, idleTimeout);
    }

    public ServeLimits withTimeout(Duration timeout) {
        return new ServeLimits(maxBodyBytes, maxTokens, maxBatch, maxQueue, gatherWindow, timeout, maxConnections, idleTimeout);
    }

    public ServeLimits withMaxBody(long bytes) {
        return new ServeLimits(bytes, maxTokens, maxBatch, maxQueue, gatherWindow, requestTimeout, maxConnections, idleTimeout);
    }

    public ServeLimits withMaxTokens(int tokens) {
        return new ServeLimits(maxBodyBytes, tokens, maxBatch, maxQueue, gatherWindow, requestTimeout, maxConnections, idleTimeout);
    }

    public ServeLimits withIdleTimeout(Duration idle) {
        return new ServeLimits(maxBodyBytes, maxTokens, maxBatch, maxQueue, gatherWindow, requestTimeout, maxConnections, idle);
    }

    public ServeLimits withGatherWindow(Duration window) {
        return new ServeLimits(maxBodyBytes, maxTokens, maxBatch, maxQueue, window, requestTimeout, maxConnections, idleTimeout);
    }

    /**
     * The positions a request may take: the model's own context ({@code LanguageModel.context()}, issue 13's one
     * definition: LLaMA's {@code max_position_embeddings}, llama2.c's {@code seq_len}). A model with no trained limit
     * (T5's relative positions; LLaMA with dynamic RoPE scaling) is still bounded here, since a server must bound every
     * request: T5 at {@link #T5_CONTEXT}, LLaMA at its {@code max_position_embeddings}.
     */
    public static int contextLength(LanguageModel model) {
        ContextWindow window = model.context();
        if (window.limited()) return window.length();
        if (model instanceof Llama llama) return llama.config().maxPositionEmbeddings();
        return T5_CONTEXT;
    }

    /**
     * What one batch's decoding session may allocate (its KV cache, logits and prompt activations, as
     * {@code TokenDecoder.sessionBytes} counts them): half of the JVM's maximum heap, so that a full batch of long
     * requests cannot exhaust memory (the rest holds the server and the per-step temporaries). A batch is closed
     * before it would exceed this, and a request that alone would is refused.
     */
    public static long kvBudgetBytes() {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    /**
     * The number of tokens a request may generate after a prompt of {@code promptTokens}: {@code requested} when it
     * fits, else an error with the numbers (OpenAI's wording and code); with no request, whatever the context and
     * {@code fallback} allow. A decoder-only model continues the prompt in the same positions (prompt + completion ≤
     * context); an encoder-decoder (T5) bounds its input and its output separately.
     *
     * @param requested {@code max_tokens} from the request (already checked to be ≥ 1), or null
     * @param fallback  the endpoint's default when the request names none (OpenAI: 16 for completions; chat runs to
     *                  the context), capped by {@link #maxTokens}
     * @param param       the request field that set the length ({@code max_tokens} or {@code max_completion_tokens})
     * @param promptParam the request field that holds the prompt ({@code messages} or {@code prompt})
     */
    public int completionBudget(LanguageModel model, int promptTokens, Integer requested, int fallback, String param, String promptParam) {
        int context = contextLength(model);
        if (requested != null && requested > maxTokens) {
            throw ApiError.invalid(param, param + " is " + requested + ", above this server's limit of " + maxTokens
                    + " tokens per completion");
        }
        if (model.isEncoderDecoder()) {
            if (promptTokens > context) {
                throw ApiError.contextLength(promptParam, "This model's maximum input length is " + context + " tokens. However, your"
                        + " input has " + promptTokens + " tokens. Please shorten it.");
            }
            int budget = requested != null ? requested : Math.min(fallback, maxTokens);
            if (budget > context) {
                throw ApiError.contextLength(param, "This model's maximum output length is " + context + " tokens. However, you"
                        + " requested " + budget + " output tokens. Please reduce " + param + ".");
            }
            return budget;
        }
        int room = context - promptTokens;
        if (requested == null) {
            if (room < 1) {
                throw ApiError.contextLength(promptParam, "This model's maximum context length is " + context + " tokens. However,"
                        + " your prompt has " + promptTokens + " tokens, leaving no room for a completion. Please shorten it.");
            }
            return Math.min(room, Math.min(fallback, maxTokens));
        }
        if (requested > room) {
            throw ApiError.contextLength(param, "This model's maximum context length is " + context + " tokens. However, you requested "
                    + (promptTokens + requested) + " tokens (" + promptTokens + " in the prompt, " + requested
                    + " for the completion). Please reduce the prompt or " + param + ".");
        }
        return requested;
    }
}

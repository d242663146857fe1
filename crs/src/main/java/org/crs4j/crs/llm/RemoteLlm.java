package org.crs4j.crs.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * An {@link Llm} behind an OpenAI-compatible {@code POST /v1/chat/completions} endpoint (OpenAI, vLLM, llama.cpp's
 * server, Ollama, {@code crs4j serve}). The prompt is sent as one user message; the answer is
 * {@code choices[0].message.content}.
 *
 * <p>What can go wrong, and what happens:
 * <ul>
 *   <li>cannot connect, no complete answer within the timeout, HTTP 408/409/429/5xx: retried up to
 *       {@link Settings#maxRetries} times, waiting as the server's {@code Retry-After} (or {@code retry-after-ms})
 *       says, else 0.5 s × 2^attempt (at most 8 s, minus up to 25 % jitter), as OpenAI's own clients do;</li>
 *   <li>any other HTTP status, a body that is not JSON or has no message content, an empty body, a body larger than
 *       {@link Settings#maxResponseBytes}: one {@link LlmException} at once, naming the endpoint;</li>
 *   <li>an empty {@code content} string is a valid (empty) answer: the stage that reads it decides what it means.</li>
 * </ul>
 *
 * <p>The API key comes from an environment variable the caller names; it is sent only in the {@code Authorization}
 * header, and any echo of it in a server's error text or answer is replaced by {@code ***} before it reaches a
 * message, a trace or a caller.
 *
 * <p>A request with a stream is sent with {@code "stream": true} and its server-sent events are passed on piece by
 * piece as they arrive (a server that answers with plain JSON instead is read as usual, its text passed on whole).
 * A failure before the first piece is retried as above; after it, the call fails, since a retry would repeat text
 * the caller has already shown.
 */
public final class RemoteLlm implements Llm {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXCERPT = 200;

    /**
     * How a remote endpoint is called.
     *
     * @param connectTimeout   to open the connection
     * @param timeout          for one attempt's whole answer (headers and body)
     * @param maxRetries       further attempts after a retryable failure
     * @param maxResponseBytes larger answers are refused (a runaway or hostile server cannot fill the heap)
     * @param maxRetryAfter    a server asking to wait longer than this fails the call instead of stalling the run
     */
    public record Settings(Duration connectTimeout, Duration timeout, int maxRetries, long maxResponseBytes, Duration maxRetryAfter) {
        public Settings {
            if (connectTimeout.isNegative() || connectTimeout.isZero()) throw new IllegalArgumentException("connect timeout must be > 0");
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be > 0");
            if (maxRetries < 0) throw new IllegalArgumentException("retries must be >= 0, got " + maxRetries);
            if (maxResponseBytes < 1) throw new IllegalArgumentException("response size limit must be >= 1 byte");
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(10), Duration.ofSeconds(120), 2, 8L << 20, Duration.ofSeconds(60));
        }

        public Settings withTimeout(Duration t) { return new Settings(connectTimeout, t, maxRetries, maxResponseBytes, maxRetryAfter); }

        public Settings withMaxRetries(int n) { return new Settings(connectTimeout, timeout, n, maxResponseBytes, maxRetryAfter); }

        public Settings withMaxResponseBytes(long n) { return new Settings(connectTimeout, timeout, maxRetries, n, maxRetryAfter); }
    }

    /** Waits between attempts (replaced in tests, which check the waits without spending them). */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final URI url;
    private final String model;
    private final String endpoint;
    private final String apiKey;
    private final Settings settings;
    private final HttpClient client;
    private final Sleeper sleeper;

    RemoteLlm(URI url, String model, String apiKey, Settings settings, Sleeper sleeper) {
        this.url = url;
        this.model = model;
        this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
        this.settings = settings;
        this.sleeper = sleeper;
        this.endpoint = display(url) + "#" + model;
        // HTTP/1.1: every OpenAI-compatible server speaks it; h2c upgrades confuse some small servers.
        this.client = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Opens {@code URL#MODEL}: the base URL of the API ({@code http://127.0.0.1:8000/v1}, to which
     * {@code /chat/completions} is appended) or the full {@code …/chat/completions} URL, and the model name after
     * {@code #}.
     *
     * @param apiKeyEnv the environment variable holding the key, or null to send none
     */
    public static RemoteLlm open(String spec, Settings settings, String apiKeyEnv) {
        String key = null;
        if (apiKeyEnv != null) {
            key = System.getenv(apiKeyEnv);
            if (key == null || key.isBlank())
                throw new LlmException("--llm-key-env " + apiKeyEnv + ": the environment variable is not set or empty");
        }
        return open(spec, settings, key, Thread::sleep);
    }

    static RemoteLlm open(String spec, Settings settings, String apiKey, Sleeper sleeper) {
        URI uri;
        try {
            uri = new URI(spec);
        } catch (URISyntaxException e) {
            throw new LlmException("--llm " + spec + ": not a valid URL (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        if (uri.getHost() == null) throw new LlmException("--llm " + spec + ": the URL has no host");
        if (uri.getRawUserInfo() != null)
            throw new LlmException("--llm " + display(uri) + ": credentials in the URL are refused; put the key in an environment variable and name it with --llm-key-env");
        String model = uri.getRawFragment() == null ? "" : URLDecoder.decode(uri.getRawFragment(), StandardCharsets.UTF_8);
        if (model.isBlank())
            throw new LlmException("--llm " + spec + ": name the model after '#', e.g. " + display(uri) + "#gpt-4o-mini");
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!path.endsWith("/chat/completions")) path = path.replaceAll("/+$", "") + "/chat/completions";
        try {
            URI target = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), null, null, null)
                    .resolve(path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            return new RemoteLlm(target, model, apiKey, settings, sleeper);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new LlmException("--llm " + spec + ": not a valid URL (" + e.getMessage() + ")");
        }
    }

    /** The URL as messages and traces show it: scheme, host, port and path, never a query or credentials. */
    static String display(URI u) {
        String port = u.getPort() < 0 ? "" : ":" + u.getPort();
        return u.getScheme() + "://" + u.getHost() + port + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    /** The chat-completions URL requests go to. */
    public URI url() {
        return url;
    }

    public String model() {
        return model;
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public String toString() {
        return "RemoteLlm[" + endpoint + "]";
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        byte[] body = requestBody(request);
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicLong streamed = new java.util.concurrent.atomic.AtomicLong(); // characters passed to the request's stream
        for (int attempt = 0; ; attempt++) {
            Attempt a = attempt(body, request.stream(), streamed);
            if (a.answer != null) {
                if (a.answer.body() instanceof Streamed st)
                    return LlmResponse.text(redact(st.text()), st.promptTokens(), st.outputTokens(), System.nanoTime() - start);
                LlmResponse r = parse(a.answer.statusCode(), (byte[]) a.answer.body(), System.nanoTime() - start);
                if (request.stream() != null && !r.text().isEmpty()) request.stream().accept(r.text());
                return r;
            }
            String tries = attempt == 0 ? "" : " (attempt " + (attempt + 1) + " of " + (settings.maxRetries() + 1) + ")";
            // once text has gone to the caller's stream, a retry would repeat it: the call fails instead
            if (streamed.get() > 0) throw new LlmException(endpoint + ": " + a.problem + " after " + streamed.get() + " characters were streamed" + tries);
            if (!a.retryable || attempt >= settings.maxRetries()) throw new LlmException(endpoint + ": " + a.problem + tries);
            Duration wait = a.retryAfter != null ? a.retryAfter : backoff(attempt);
            if (a.retryAfter != null && a.retryAfter.compareTo(settings.maxRetryAfter()) > 0)
                throw new LlmException(endpoint + ": " + a.problem + "; the server asks to retry after " + seconds(a.retryAfter)
                        + ", more than the " + seconds(settings.maxRetryAfter()) + " this client waits" + tries);
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LlmException(endpoint + ": interrupted while waiting to retry after: " + a.problem, e);
            }
        }
    }

    private byte[] requestBody(LlmRequest request) {
        Sampling s = request.sampling();
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        root.putArray("messages").addObject().put("role", "user").put("content", request.prompt());
        root.put("max_tokens", s.maxNewTokens());
        root.put("temperature", s.temperature());
        root.put("top_p", s.topP());
        root.put("seed", s.seed());
        root.put("n", 1);
        root.put("stream", request.stream() != null);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new LlmException(endpoint + ": cannot encode the request: " + e.getOriginalMessage(), e);
        }
    }

    /** One HTTP exchange: either an answer (status 2xx; a byte[] body or a {@link Streamed} one) or a described failure. */
    private record Attempt(HttpResponse<Object> answer, String problem, boolean retryable, Duration retryAfter) {
        static Attempt failed(String problem, boolean retryable) {
            return new Attempt(null, problem, retryable, null);
        }
    }

    @SuppressWarnings("unchecked")
    private Attempt attempt(byte[] body, Consumer<String> stream, java.util.concurrent.atomic.AtomicLong streamed) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(settings.timeout())
                .header("Content-Type", "application/json").header("Accept", stream == null ? "application/json" : "text/event-stream, application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
        HttpResponse.BodyHandler<Object> handler = info -> {
            boolean events = stream != null && info.statusCode() / 100 == 2
                    && info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT).startsWith("text/event-stream");
            Consumer<String> counted = piece -> {
                if (!open.get()) return; // the caller gave up on this attempt: nothing more reaches its stream
                streamed.addAndGet(piece.length());
                stream.accept(redact(piece));
            };
            return (HttpResponse.BodySubscriber<Object>) (HttpResponse.BodySubscriber<?>) (events ? new EventStreamBody(settings.maxResponseBytes(), counted)
                    : new BoundedBody(settings.maxResponseBytes(), info.headers()));
        };
        CompletableFuture<HttpResponse<Object>> future = client.sendAsync(b.build(), handler);
        HttpResponse<Object> r;
        try {
            r = future.get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            open.set(false);
            future.cancel(true);
            return Attempt.failed("no complete answer within " + seconds(settings.timeout()), true);
        } catch (InterruptedException e) {
            open.set(false);
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new LlmException(endpoint + ": interrupted", e);
        } catch (ExecutionException e) {
            return transportFailure(e.getCause());
        }
        int status = r.statusCode();
        if (status >= 200 && status < 300) return new Attempt(r, null, false, null);
        String problem = "HTTP " + status + errorDetail((byte[]) r.body());
        if (status >= 300 && status < 400) {
            problem += " (redirects are not followed; Location: " + r.headers().firstValue("location").orElse("none") + ")";
        } else if (status == 404) {
            problem += " (is the base URL right? requests go to " + display(url) + ")";
        }
        boolean retryable = status == 408 || status == 409 || status == 429 || status >= 500;
        return new Attempt(null, problem, retryable, retryable ? retryAfter(r.headers()) : null);
    }

    private Attempt transportFailure(Throwable cause) {
        if (cause instanceof TooLarge t) return Attempt.failed(t.getMessage(), false);
        if (cause instanceof BadStream bad) return Attempt.failed(redact(bad.getMessage()), bad.retryable);
        if (cause instanceof HttpConnectTimeoutException)
            return Attempt.failed("could not connect to " + display(url) + " within " + seconds(settings.connectTimeout()), true);
        if (cause instanceof HttpTimeoutException) return Attempt.failed("no answer within " + seconds(settings.timeout()), true);
        if (cause instanceof ConnectException)
            return Attempt.failed("cannot connect to " + display(url) + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), true);
        if (cause instanceof IOException)
            return Attempt.failed("connection failed: " + redact(String.valueOf(cause.getMessage())), true);
        throw new LlmException(endpoint + ": " + redact(String.valueOf(cause)), cause);
    }

    private LlmResponse parse(int status, byte[] body, long latencyNanos) {
        if (body.length == 0) throw new LlmException(endpoint + ": empty response body (HTTP " + status + ")");
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new LlmException(endpoint + ": the answer is not valid JSON (" + e.getOriginalMessage().replace('\n', ' ')
                    + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr()) + "): " + excerpt(body));
        } catch (IOException e) {
            throw new LlmException(endpoint + ": cannot read the answer: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new LlmException(endpoint + ": the answer is not a JSON object: " + excerpt(body));
        if (root.hasNonNull("error")) throw new LlmException(endpoint + ": HTTP " + status + " with an error" + errorDetail(body));
        JsonNode choices = root.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty())
            throw new LlmException(endpoint + ": the answer has no choices: " + excerpt(body));
        JsonNode choice = choices.get(0);
        JsonNode content = choice.path("message").get("content");
        if (content == null || !content.isTextual()) {
            String why = choice.path("message").hasNonNull("refusal") ? "a refusal: " + redact(choice.path("message").get("refusal").asText())
                    : "finish_reason " + choice.path("finish_reason").asText("missing");
            throw new LlmException(endpoint + ": the answer has no choices[0].message.content string (" + why + ")");
        }
        JsonNode usage = root.path("usage");
        int promptTokens = usage.path("prompt_tokens").isInt() ? usage.get("prompt_tokens").intValue() : -1;
        int outputTokens = usage.path("completion_tokens").isInt() ? usage.get("completion_tokens").intValue() : -1;
        // an answer never legitimately holds the key; redacting it keeps it out of traces and screens
        return LlmResponse.text(redact(content.textValue()), promptTokens, outputTokens, latencyNanos);
    }

    /** ": " + the server's error message (OpenAI's {@code error.message}) or the start of the body, key redacted. */
    private String errorDetail(byte[] body) {
        if (body == null || body.length == 0) return "";
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode err = root == null ? null : root.get("error");
            if (err != null && err.isObject() && err.hasNonNull("message")) return ": " + excerpt(err.get("message").asText());
            if (err != null && err.isTextual()) return ": " + excerpt(err.asText());
        } catch (IOException notJson) {
            // fall through to the raw text
        }
        return ": " + excerpt(body);
    }

    private String excerpt(byte[] body) {
        return excerpt(new String(body, 0, Math.min(body.length, 4 * EXCERPT), StandardCharsets.UTF_8));
    }

    private String excerpt(String s) {
        String one = redact(s).replaceAll("\\s+", " ").strip();
        return one.length() <= EXCERPT ? one : one.substring(0, EXCERPT) + "…";
    }

    /** Never let the key through: servers echo it in "invalid key" errors. */
    private String redact(String s) {
        return apiKey == null ? s : s.replace(apiKey, "***");
    }

    static Duration backoff(int attempt) {
        double seconds = Math.min(0.5 * Math.pow(2, attempt), 8.0) * (1 - 0.25 * ThreadLocalRandom.current().nextDouble());
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    /** {@code retry-after-ms} (OpenAI), else {@code Retry-After} as seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(HttpHeaders h) {
        var ms = h.firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                return Duration.ofNanos((long) (Math.max(0, Double.parseDouble(ms.get().strip())) * 1e6));
            } catch (NumberFormatException ignored) {
                // try Retry-After
            }
        }
        var ra = h.firstValue("retry-after");
        if (ra.isEmpty()) return null;
        String v = ra.get().strip();
        try {
            return Duration.ofNanos((long) (Math.max(0, Double.parseDouble(v)) * 1e9));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3g s", d.toNanos() / 1e9);
    }

    @Override
    public void close() {
        client.close();
    }

    /** The body grew past the limit. */
    private static final class TooLarge extends IOException {
        TooLarge(long limit) {
            super("the answer is larger than the limit of " + limit + " bytes");
        }
    }

    /** An event stream that cannot be read as OpenAI's; {@code retryable} when it looks like a dropped connection. */
    private static final class BadStream extends IOException {
        final boolean retryable;

        BadStream(String message, boolean retryable) {
            super(message);
            this.retryable = retryable;
        }
    }

    /** What a streamed answer added up to. */
    private record Streamed(String text, int promptTokens, int outputTokens) {}

    /**
     * Reads OpenAI's server-sent events ({@code data: {json}} lines, {@code data: [DONE]} at the end), passing each
     * {@code choices[0].delta.content} on as it arrives; bounded in bytes like {@link BoundedBody}. Lines are cut
     * as bytes before decoding, so a character split across network chunks arrives whole.
     */
    private static final class EventStreamBody implements HttpResponse.BodySubscriber<Object> {
        private final long limit;
        private final Consumer<String> pieces;
        private final CompletableFuture<Object> result = new CompletableFuture<>();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final StringBuilder text = new StringBuilder();
        private Flow.Subscription subscription;
        private long bytes;
        private int promptTokens = -1, outputTokens = -1;
        private boolean done;

        EventStreamBody(long limit, Consumer<String> pieces) {
            this.limit = limit;
            this.pieces = pieces;
        }

        @Override
        public CompletionStage<Object> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            try {
                for (ByteBuffer b : items) {
                    while (b.hasRemaining() && !result.isDone()) {
                        byte x = b.get();
                        if (++bytes > limit) throw new TooLarge(limit);
                        if (x == '\n') event();
                        else line.write(x);
                    }
                }
            } catch (IOException | RuntimeException e) {
                subscription.cancel();
                result.completeExceptionally(e);
            }
        }

        private void event() throws IOException {
            String l = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (l.endsWith("\r")) l = l.substring(0, l.length() - 1);
            if (done || !l.startsWith("data:")) return; // blank separators, ": comments", event: and id: lines
            String data = l.substring(5).strip();
            if (data.equals("[DONE]")) {
                done = true;
                return;
            }
            JsonNode n;
            try {
                n = JSON.readTree(data);
            } catch (JsonProcessingException e) {
                throw new BadStream("an event of the answer is not valid JSON: " + (data.length() > EXCERPT ? data.substring(0, EXCERPT) + "…" : data), false);
            }
            JsonNode err = n.get("error");
            if (err != null && !err.isNull())
                throw new BadStream("error in the stream: " + (err.isObject() ? err.path("message").asText(err.toString()) : err.asText()), false);
            JsonNode content = n.path("choices").path(0).path("delta").get("content");
            if (content != null && content.isTextual() && !content.textValue().isEmpty()) {
                text.append(content.textValue());
                pieces.accept(content.textValue());
            }
            JsonNode usage = n.get("usage");
            if (usage != null && usage.isObject()) {
                promptTokens = usage.path("prompt_tokens").asInt(-1);
                outputTokens = usage.path("completion_tokens").asInt(-1);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            if (result.isDone()) return;
            try {
                if (line.size() > 0) event();
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            if (!done) result.completeExceptionally(new BadStream("the answer's stream ended without data: [DONE]", true));
            else result.complete(new Streamed(text.toString(), promptTokens, outputTokens));
        }
    }

    /** Collects a body up to a byte limit; past it, cancels the exchange and fails with {@link TooLarge}. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final long declared;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        BoundedBody(long limit, HttpHeaders headers) {
            this.limit = limit;
            this.declared = headers.firstValueAsLong("content-length").orElse(-1);
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (declared > limit) {
                s.cancel();
                result.completeExceptionally(new TooLarge(limit));
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) return;
            for (ByteBuffer b : items) {
                if (bytes.size() + (long) b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge(limit));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}

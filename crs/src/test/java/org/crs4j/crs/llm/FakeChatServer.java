package org.crs4j.crs.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A loopback OpenAI-style chat server for tests: each request is answered by the next scripted {@link Reply} (the
 * last one repeats), and every request's path, headers and body are kept.
 */
public final class FakeChatServer implements AutoCloseable {
    /** What one request gets. {@code chunked}: no Content-Length; {@code trickleMillis}: a pause between body bytes. */
    public record Reply(int status, Map<String, String> headers, byte[] body, long delayMillis, boolean chunked, long trickleMillis, boolean events) {
        public Reply(int status, Map<String, String> headers, byte[] body, long delayMillis, boolean chunked, long trickleMillis) {
            this(status, headers, body, delayMillis, chunked, trickleMillis, false);
        }

        /** Server-sent events, one {@code data:} line each, written {@code millisBetween} apart ({@code [DONE]} only if given). */
        public static Reply events(long millisBetween, String... data) {
            StringBuilder b = new StringBuilder(": a comment line, ignored\n\n");
            for (String d : data) b.append("data: ").append(d).append("\n\n");
            return new Reply(200, Map.of("Content-Type", "text/event-stream"), b.toString().getBytes(StandardCharsets.UTF_8), 0, true, millisBetween, true);
        }

        public static Reply json(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8), 0, false, 0);
        }

        public static Reply content(String text) {
            try {
                return json(200, "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + new ObjectMapper().writeValueAsString(text) + "},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public Reply withHeader(String name, String value) {
            var h = new java.util.HashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, delayMillis, chunked, trickleMillis, events);
        }

        public Reply delayed(long millis) {
            return new Reply(status, headers, body, millis, chunked, trickleMillis, events);
        }

        Reply chunkedBody() {
            return new Reply(status, headers, body, delayMillis, true, trickleMillis, events);
        }

        Reply trickled(long millisPerByte) {
            return new Reply(status, headers, body, delayMillis, true, millisPerByte, events);
        }
    }

    public record Seen(String method, String path, Map<String, List<String>> headers, String body) {}

    private final HttpServer server;
    private final ConcurrentLinkedDeque<Object> script = new ConcurrentLinkedDeque<>();
    public final List<Seen> requests = new CopyOnWriteArrayList<>();

    public FakeChatServer(Reply... replies) throws IOException {
        script.addAll(List.of(replies));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    /** Answers computed from the request body (e.g. a scripted LLM). */
    public FakeChatServer(Function<String, Reply> responder) throws IOException {
        this();
        script.add(responder);
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @SuppressWarnings("unchecked")
    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()), body));
            Object next = script.size() > 1 ? script.poll() : script.peek();
            Reply r = next instanceof Function<?, ?> f ? ((Function<String, Reply>) f).apply(body) : (Reply) next;
            if (r.delayMillis() > 0) sleep(r.delayMillis());
            r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            String echo = ex.getRequestHeaders().getFirst("Authorization");
            byte[] b = new String(r.body(), StandardCharsets.UTF_8).replace("{{authorization}}", String.valueOf(echo)).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(r.status(), r.chunked() ? 0 : (b.length == 0 ? -1 : b.length));
            try (OutputStream out = ex.getResponseBody()) {
                if (r.events()) {
                    for (String event : new String(b, StandardCharsets.UTF_8).split("(?<=\n\n)")) {
                        out.write(event.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        sleep(r.trickleMillis());
                    }
                } else if (r.trickleMillis() > 0) {
                    for (byte x : b) {
                        out.write(x);
                        out.flush();
                        sleep(r.trickleMillis());
                    }
                } else {
                    out.write(b);
                }
            } catch (IOException clientGone) {
                // the client hung up (timeouts, size limits): nothing to do
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

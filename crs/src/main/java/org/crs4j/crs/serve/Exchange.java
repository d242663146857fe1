package org.crs4j.crs.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * One HTTP request and its response, as a route sees them: the body read within the size limit, JSON answers, and
 * a server-sent event stream whose writes fail with an IOException once the client is gone. Blocking calls: every
 * exchange runs on its own virtual thread.
 */
public final class Exchange {
    private final Request request;
    private final Response response;
    private final ServeLimits limits;
    private EventStream events;

    Exchange(Request request, Response response, ServeLimits limits) {
        this.request = request;
        this.response = response;
        this.limits = limits;
        // Jetty treats an exchange with no read or write pending for the idle timeout as failed. Waiting for a
        // generation is not idleness (a long non-streamed answer, a slow prefill): the request timeout bounds that.
        // A stalled body upload or a client that stops reading its stream still times out (their I/O is pending).
        request.addIdleTimeoutListener(timeout -> false);
    }

    public String method() {
        return request.getMethod();
    }

    public String path() {
        return Request.getPathInContext(request);
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The body, refused with 413 beyond the limit (by its declared length before reading, or while reading). */
    public byte[] body() throws IOException {
        long declared = request.getLength();
        long max = limits.maxBodyBytes();
        if (declared > max) throw ApiError.tooLarge("request body of " + declared + " bytes exceeds the limit of " + max + " bytes");
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 0), max));
        byte[] buf = new byte[16384];
        try (InputStream in = Content.Source.asInputStream(request)) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (out.size() + n > max) throw ApiError.tooLarge("request body exceeds the limit of " + max + " bytes");
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }

    /**
     * The body as one JSON object (UTF-8, strict), or a 400/413. The Content-Type header is not checked: the body
     * is JSON whatever a client labels it (curl -d sends form encoding by default).
     */
    public JsonNode jsonBody() throws IOException {
        return OpenAiRequests.object(OpenAiRequests.utf8(body()));
    }

    /**
     * Runs when the connection fails while the exchange is still running. HTTP/1.1 notices a closed connection only
     * when it reads or writes: a streamed answer finds out at its next event; a client that leaves while waiting for
     * a whole (non-streamed) answer is noticed when the answer is written, and its generation runs to the end or to
     * the request timeout.
     */
    public void onClientGone(Runnable r) {
        request.addFailureListener(t -> r.run());
    }

    public void sendJson(int status, JsonNode body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, ByteBuffer.wrap(bytes(body)));
    }

    /** A whole response of any type (the chat page's files). */
    public void send(int status, String contentType, byte[] body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        Content.Sink.write(response, true, ByteBuffer.wrap(body));
    }

    /** OpenAI's error JSON with the error's status; as a last SSE event once a stream has started. */
    public void sendError(ApiError e) throws IOException {
        ObjectNode body = errorJson(e);
        if (events != null) {
            events.send(body);
            return;
        }
        if (response.isCommitted()) return;
        if (e.retryAfterSeconds() != null) response.getHeaders().put(HttpHeader.RETRY_AFTER, e.retryAfterSeconds().toString());
        sendJson(e.status(), body);
    }

    /** Starts a 200 text/event-stream response; headers go out with the first event. */
    public EventStream startEvents() {
        if (events != null) throw new IllegalStateException("event stream already started");
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        events = new EventStream();
        return events;
    }

    boolean streaming() {
        return events != null;
    }

    static ObjectNode errorJson(ApiError e) {
        ObjectNode root = OpenAiRequests.JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("param", e.param());
        err.put("code", e.code());
        return root;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return OpenAiRequests.JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Server-sent events: {@code data: JSON\n\n} each, flushed at once. */
    public final class EventStream {
        private EventStream() {}

        /** Sends one event; an IOException means the client is gone. */
        public void send(JsonNode data) throws IOException {
            write("data: " + new String(bytes(data), StandardCharsets.UTF_8) + "\n\n", false);
        }

        /** OpenAI's end marker, {@code data: [DONE]}, and the end of the response. */
        public void done() throws IOException {
            write("data: [DONE]\n\n", true);
        }

        private void write(String s, boolean last) throws IOException {
            Content.Sink.write(response, last, ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
        }
    }
}

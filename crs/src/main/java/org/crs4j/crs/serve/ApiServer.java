package org.crs4j.crs.serve;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The HTTP side of {@code crs4j serve}: an embedded Jetty 12 server whose every exchange runs on a virtual thread,
 * a table of {@link Route}s by method and path, the optional API key, and OpenAI-style error JSON for everything
 * that goes wrong — including what Jetty itself refuses (oversized headers, malformed HTTP).
 *
 * <p>Bounds here: {@link ServeLimits#maxConnections()} exchanges at once (Jetty's virtual thread pool), the idle
 * timeout per connection (a client that stops sending or reading is dropped), 16 KiB of request headers, the body
 * limit in {@link Exchange#body()}. Generation bounds live in {@link BatchEngine} and {@link ServeLimits}.
 */
public final class ApiServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final ServeLimits limits;
    private final byte[] apiKeyHash;
    private final Map<String, Map<String, Route>> routes = new LinkedHashMap<>();
    private final Consumer<String> log;

    /**
     * @param apiKey the key clients must send as {@code Authorization: Bearer KEY}, or null for none
     * @param log    receives one line per request (method, path, status, time)
     */
    public ApiServer(String host, int port, ServeLimits limits, String apiKey, Consumer<String> log) {
        this.limits = limits;
        this.apiKeyHash = apiKey == null ? null : sha256(apiKey);
        this.log = log;
        VirtualThreadPool threads = new VirtualThreadPool(limits.maxConnections());
        threads.setName("crs4j-http");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(16 * 1024);
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        // room for a burst of connections to wait for accept(): the OS default backlog (50) drops the rest, and
        // their clients retry only after 1, 3, 7 s
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrors());
        server.setHandler(new Dispatch());
        server.setStopTimeout(5_000);
    }

    /** Adds an endpoint; a path takes one route per method. */
    public ApiServer route(String method, String path, Route route) {
        routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, route);
        return this;
    }

    public void start() throws Exception {
        server.start();
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost() == null ? "0.0.0.0" : connector.getHost(), connector.getLocalPort());
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            log.accept("crs4j serve: stopping the HTTP server: " + e.getMessage());
        }
    }

    private final class Dispatch extends org.eclipse.jetty.server.Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            long t0 = System.nanoTime();
            Exchange ex = new Exchange(request, response, limits);
            try {
                try {
                    dispatch(ex, request);
                } catch (ApiError e) {
                    ex.sendError(e);
                } catch (IOException e) {
                    // the client is gone (or its body broke off): nothing more can be sent
                } catch (Exception | OutOfMemoryError | StackOverflowError e) {
                    log.accept("crs4j serve: " + ex.method() + " " + ex.path() + ": internal error: " + e);
                    ex.sendError(ApiError.internal("internal error: " + e.getClass().getSimpleName()));
                }
                if (!response.hasLastWrite()) Content.Sink.write(response, true, ByteBuffer.allocate(0));
                callback.succeeded();
            } catch (Throwable t) {
                callback.failed(t);
            } finally {
                log.accept(String.format("%s %s %d %.3fs", ex.method(), ex.path(), response.getStatus(), (System.nanoTime() - t0) / 1e9));
            }
            return true;
        }
    }

    private void dispatch(Exchange ex, Request request) throws Exception {
        Map<String, Route> byMethod = routes.get(ex.path());
        if (byMethod == null) throw ApiError.notFound("no endpoint " + OpenAiRequests.clip(ex.path()) + " (see GET /v1/models)");
        if (apiKeyHash != null) checkKey(request);
        Route route = byMethod.get(ex.method());
        if (route == null) throw ApiError.methodNotAllowed(ex.method() + " is not allowed on " + ex.path() + "; use " + String.join(", ", byMethod.keySet()));
        route.handle(ex);
    }

    /** Constant time: both keys are hashed, and the digests compared with MessageDigest.isEqual. */
    private void checkKey(Request request) {
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiError.unauthorized("missing API key: send the header Authorization: Bearer YOUR_KEY");
        }
        if (!MessageDigest.isEqual(sha256(auth.substring(7).trim()), apiKeyHash)) throw ApiError.unauthorized("incorrect API key");
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Jetty's own refusals (bad HTTP, oversized headers, errors outside a route) as OpenAI error JSON. */
    private static final class JsonErrors extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus() >= 400 ? response.getStatus() : 500;
            Object message = request.getAttribute(ERROR_MESSAGE);
            byte[] body = Exchange.bytes(Exchange.errorJson(forStatus(status, message == null ? "HTTP error " + status : message.toString())));
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            return ByteBuffer.wrap(Exchange.bytes(Exchange.errorJson(forStatus(status, reason == null ? "bad HTTP request" : reason))));
        }

        private static ApiError forStatus(int status, String message) {
            if (status == 413 || status == 431) return ApiError.tooLarge(message);
            if (status == 404) return ApiError.notFound(message);
            if (status >= 500) return ApiError.internal(message);
            return ApiError.invalid(null, message);
        }
    }
}

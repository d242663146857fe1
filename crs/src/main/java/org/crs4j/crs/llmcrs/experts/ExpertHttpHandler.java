package org.crs4j.crs.llmcrs.experts;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.crs4j.crs.llmcrs.Environment;

/**
 * Serves one in-process expert over {@link ExpertProtocol} on the JDK's HTTP server: POST runs the expert; GET answers
 * 200 with the expert's id (what the registry's reachability probe sees). A body over the limit is 413, a malformed
 * request 400 with a one-line JSON error, an expert failure 502. What {@code crs4j serve} and the loopback tests use.
 */
public final class ExpertHttpHandler implements HttpHandler {
    private final String id;
    private final Expert expert;
    private final Environment env;

    public ExpertHttpHandler(String id, Expert expert, Environment env) {
        this.id = id;
        this.expert = expert;
        this.env = env;
    }

    @Override
    public void handle(HttpExchange x) throws IOException {
        try (x) {
            if (x.getRequestMethod().equals("GET")) {
                send(x, 200, "{\"expert\":" + ExpertProtocol.JSON.writeValueAsString(id) + "}");
                return;
            }
            if (!x.getRequestMethod().equals("POST")) { send(x, 405, error("use POST")); return; }
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readNBytes(ExpertProtocol.MAX_BODY_BYTES + 1);
            }
            if (body.length > ExpertProtocol.MAX_BODY_BYTES) { send(x, 413, error("request body over " + ExpertProtocol.MAX_BODY_BYTES + " bytes")); return; }
            ExpertRequest request;
            try {
                request = ExpertProtocol.parseRequest(body, env);
            } catch (IllegalArgumentException e) {
                send(x, 400, error(e.getMessage()));
                return;
            }
            ExpertOutput out;
            try {
                out = expert.execute(request);
            } catch (ExpertException e) {
                send(x, 502, error(e.getMessage()));
                return;
            }
            send(x, 200, new String(ExpertProtocol.response(out, env), StandardCharsets.UTF_8));
        }
    }

    private static String error(String message) throws IOException {
        return "{\"error\":" + ExpertProtocol.JSON.writeValueAsString(message) + "}";
    }

    private static void send(HttpExchange x, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }
}

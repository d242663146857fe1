package org.crs4j.crs.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.experts.ExpertException;
import org.crs4j.crs.llmcrs.experts.ExpertOutput;
import org.crs4j.crs.llmcrs.experts.ExpertProtocol;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.ExpertRequest;

/**
 * The experts a server hosts, over LLMCRS's HTTP expert protocol ({@link ExpertProtocol}), at
 * {@code /v1/experts/ID}: so that a registry entry on another machine can name
 * {@code http://HOST:PORT/v1/experts/causal-full}. POST runs the expert; GET answers {@code {"expert": ID}} (what the
 * registry's reachability probe sees). Errors are the protocol's {@code {"error": "..."}}: 400 for a malformed
 * request, 502 when the expert fails; the server's body limit applies (413).
 */
public final class ExpertRoutes {
    public static final String PREFIX = "/v1/experts/";

    private ExpertRoutes() {}

    /** Serves every in-process expert of the registry (HTTP entries are another server's, and are not relayed). */
    public static ApiServer install(ApiServer server, ExpertRegistry registry, Environment env) {
        for (ExpertRegistry.Registered r : registry.all()) {
            if (!r.spec().endpoint().startsWith("local:") && !r.spec().endpoint().startsWith("rec:")) continue;
            server.route("GET", PREFIX + r.id(), ex -> ex.sendJson(200, OpenAiRequests.JSON.createObjectNode().put("expert", r.id())));
            server.route("POST", PREFIX + r.id(), ex -> run(ex, r, env));
        }
        return server;
    }

    private static void run(Exchange ex, ExpertRegistry.Registered r, Environment env) throws IOException {
        byte[] body = ex.body();
        ExpertRequest request;
        try {
            request = ExpertProtocol.parseRequest(body, env);
        } catch (IllegalArgumentException e) {
            ex.sendJson(400, error(e.getMessage()));
            return;
        }
        ExpertOutput out;
        try {
            out = r.expert().execute(request);
        } catch (ExpertException e) {
            ex.sendJson(502, error(e.getMessage()));
            return;
        }
        ex.send(200, "application/json", ExpertProtocol.response(out, env));
    }

    private static ObjectNode error(String message) {
        return OpenAiRequests.JSON.createObjectNode().put("error", message);
    }
}

package org.crs4j.crs.llmcrs.experts;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.crs4j.crs.llmcrs.Environment;

/**
 * An expert behind an HTTP endpoint ({@link ExpertProtocol}): one POST per call, the JDK's client, a time limit per
 * call, the reply read up to {@link ExpertProtocol#MAX_BODY_BYTES}. Every failure (refused connection, time-out,
 * status other than 200, invalid JSON, oversize reply) is an {@link ExpertException} naming the URL.
 */
public final class HttpExpert implements Expert {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private final URI uri;
    private final Duration timeout;
    private final Environment env;

    public HttpExpert(URI uri, Duration timeout, Environment env) {
        this.uri = uri;
        this.timeout = timeout;
        this.env = env;
    }

    @Override
    public ExpertOutput execute(ExpertRequest request) {
        HttpRequest http = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ExpertProtocol.request(request, env))).build();
        HttpResponse<InputStream> response;
        try {
            response = CLIENT.send(http, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new ExpertException(uri + ": no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new ExpertException(uri + ": unreachable (" + describe(e) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExpertException(uri + ": interrupted", e);
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(ExpertProtocol.MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw new ExpertException(uri + ": reply broke off (" + describe(e) + ")", e);
        }
        if (response.statusCode() != 200)
            throw new ExpertException(uri + ": HTTP " + response.statusCode() + " " + ExpertProtocol.oneLine(snippet(body)));
        try {
            return ExpertProtocol.parseResponse(body, env);
        } catch (IllegalArgumentException e) {
            throw new ExpertException(uri + ": " + e.getMessage());
        }
    }

    /** Whether something answers HTTP at the URL (any status counts): the registry's check when it loads. */
    public static String probe(URI uri, Duration timeout) {
        HttpRequest http = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        try {
            CLIENT.send(http, HttpResponse.BodyHandlers.discarding());
            return null;
        } catch (IOException e) {
            return "unreachable (" + describe(e) + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String snippet(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, 200), java.nio.charset.StandardCharsets.UTF_8);
        return s.replaceAll("\\s+", " ");
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        if (e.getCause() != null && e.getCause().getMessage() != null && !m.contains(e.getCause().getMessage())) m += ": " + e.getCause().getMessage();
        return ExpertProtocol.oneLine(m);
    }
}

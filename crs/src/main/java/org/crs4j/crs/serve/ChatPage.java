package org.crs4j.crs.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The chat's single web page: plain HTML, CSS and JavaScript shipped as resources
 * ({@code org/crs4j/crs/chat/web/}), no build step and no resource from the internet. It talks to
 * {@code POST /v1/crs/turn} with {@code stream: true}.
 */
public final class ChatPage {
    private static final String DIR = "/org/crs4j/crs/chat/web/";
    private static final Map<String, String> FILES = Map.of("/", "index.html", "/chat.js", "chat.js", "/chat.css", "chat.css");

    private ChatPage() {}

    public static ApiServer install(ApiServer server) {
        FILES.forEach((path, file) -> {
            byte[] body = read(file);
            String type = file.endsWith(".html") ? "text/html; charset=utf-8" : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            server.route("GET", path, ex -> ex.send(200, type, body));
        });
        return server;
    }

    private static byte[] read(String file) {
        try (InputStream in = ChatPage.class.getResourceAsStream(DIR + file)) {
            if (in == null) throw new IllegalStateException(DIR + file + " is missing from the class path");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

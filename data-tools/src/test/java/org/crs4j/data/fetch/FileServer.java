package org.crs4j.data.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A loopback HTTP server serving a folder, with byte-range support, recording the Range headers it was sent. */
final class FileServer implements AutoCloseable {
    final HttpServer server;
    final Path root;
    final List<String> ranges = new CopyOnWriteArrayList<>();

    FileServer(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI base() { return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"); }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Path file = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] all = Files.readAllBytes(file);
            String range = ex.getRequestHeaders().getFirst("Range");
            int from = 0;
            if (range != null) {
                ranges.add(range);
                from = Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
                if (from >= all.length) {
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (all.length - 1) + "/" + all.length);
            }
            ex.sendResponseHeaders(range != null ? 206 : 200, all.length - from);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(all, from, all.length - from);
            }
        }
    }

    @Override
    public void close() { server.stop(0); }
}

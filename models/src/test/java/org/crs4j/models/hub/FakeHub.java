package org.crs4j.models.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small Hugging Face Hub on loopback, answering as huggingface.co does: {@code HEAD/GET /ORG/NAME/resolve/REV/FILE}
 * with X-Repo-Commit and ETag (the git blob sha1 of regular files), and for LFS files (*.safetensors) a 302 to a
 * second server, the "CDN" (another port, so another origin), with X-Linked-Etag (the sha256) and X-Linked-Size.
 * 404s carry X-Error-Code EntryNotFound / RevisionNotFound; unknown or private repositories answer 401
 * RepositoryNotFound. The CDN honours Range requests and can be told to cut transfers short or to serve corrupted
 * bytes. Every request is logged.
 */
public final class FakeHub implements AutoCloseable {
    public static final class Repo {
        public final String commit;
        public final Map<String, byte[]> files = new LinkedHashMap<>();
        public String token; // required Bearer token, or null for a public repository

        Repo(String commit) {
            this.commit = commit;
        }
    }

    private final HttpServer hub, cdn;
    public final Map<String, Repo> repos = new ConcurrentHashMap<>();
    public final List<String> log = Collections.synchronizedList(new ArrayList<>());
    /** Bytes after which the next {@link #cuts} CDN transfers are cut off. */
    volatile int cutAfter;
    final AtomicInteger cuts = new AtomicInteger();
    /** Serve LFS files with one byte flipped (same length, wrong sha256). */
    volatile boolean corrupt;

    public FakeHub() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(any, 0);
        cdn = HttpServer.create(any, 0);
        hub.createContext("/", this::hub);
        cdn.createContext("/", this::cdn);
        hub.start();
        cdn.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    /** A repository serving the files of a folder (not its reference.json), under a fixed fake commit. */
    public Repo serve(String repoId, Path folder) throws IOException {
        Repo r = new Repo(HexFormat.of().formatHex(sha("SHA-1", repoId.getBytes(StandardCharsets.UTF_8))));
        try (var files = Files.list(folder)) {
            for (Path f : files.sorted().toList()) {
                if (!f.getFileName().toString().equals("reference.json")) r.files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        repos.put(repoId, r);
        return r;
    }

    /** Requests whose log line contains {@code part}. */
    public long count(String part) {
        synchronized (log) {
            return log.stream().filter(l -> l.contains(part)).count();
        }
    }

    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");

    private void hub(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        log.add("hub " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + (auth == null ? "" : " auth"));
        Matcher m = RESOLVE.matcher(ex.getRequestURI().getPath());
        if (!m.matches()) {
            reply(ex, 404, "NotFound");
            return;
        }
        Repo repo = repos.get(m.group(1));
        if (repo == null || (repo.token != null && !("Bearer " + repo.token).equals(auth))) {
            reply(ex, 401, "RepositoryNotFound");
            return;
        }
        if (!m.group(2).equals("main") && !m.group(2).equals(repo.commit)) {
            reply(ex, 404, "RevisionNotFound");
            return;
        }
        byte[] body = repo.files.get(m.group(3));
        if (body == null) {
            reply(ex, 404, "EntryNotFound");
            return;
        }
        var h = ex.getResponseHeaders();
        h.set("X-Repo-Commit", repo.commit);
        if (m.group(3).endsWith(".safetensors")) {
            String sha256 = HexFormat.of().formatHex(sha("SHA-256", body));
            h.set("X-Linked-Etag", "\"" + sha256 + "\"");
            h.set("X-Linked-Size", Long.toString(body.length));
            h.set("ETag", "\"" + gitSha(body) + "\"");
            h.set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/lfs/" + sha256);
            cdnFiles.put(sha256, body);
            ex.sendResponseHeaders(302, -1);
            ex.close();
            return;
        }
        h.set("ETag", "\"" + gitSha(body) + "\"");
        send(ex, 200, body, 0, Integer.MAX_VALUE);
    }

    private final Map<String, byte[]> cdnFiles = new ConcurrentHashMap<>();

    private void cdn(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        log.add("cdn " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + (range == null ? "" : " " + range)
                + (auth == null ? "" : " auth"));
        byte[] body = cdnFiles.get(ex.getRequestURI().getPath().replace("/lfs/", ""));
        if (body == null) {
            reply(ex, 404, "NotFound");
            return;
        }
        if (corrupt) {
            body = body.clone();
            body[body.length / 2] ^= 1;
        }
        int from = 0;
        if (range != null) {
            Matcher r = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (!r.matches()) throw new IllegalStateException("unexpected Range " + range);
            from = Integer.parseInt(r.group(1));
            if (from >= body.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + body.length);
                ex.sendResponseHeaders(416, -1);
                ex.close();
                return;
            }
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        }
        int limit = cuts.getAndUpdate(c -> Math.max(0, c - 1)) > 0 ? cutAfter : Integer.MAX_VALUE;
        send(ex, range == null ? 200 : 206, body, from, limit);
    }

    /** Sends body[from..] announcing its full length, but stops (and drops the connection) after {@code limit} bytes. */
    private static void send(HttpExchange ex, int code, byte[] body, int from, int limit) throws IOException {
        int n = body.length - from;
        ex.sendResponseHeaders(code, ex.getRequestMethod().equals("HEAD") ? -1 : n);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.close();
            return;
        }
        OutputStream out = ex.getResponseBody();
        try {
            out.write(body, from, Math.min(n, limit));
            out.flush();
        } finally {
            ex.close(); // after fewer bytes than announced, the server drops the connection
        }
    }

    private static void reply(HttpExchange ex, int code, String errorCode) throws IOException {
        ex.getResponseHeaders().set("X-Error-Code", errorCode);
        ex.getResponseHeaders().set("X-Error-Message", errorCode.equals("EntryNotFound") ? "Entry not found" : errorCode);
        ex.sendResponseHeaders(code, -1);
        ex.close();
    }

    private static byte[] sha(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Git's blob id, what the Hub sends as the ETag of a regular file. */
    private static String gitSha(byte[] data) {
        byte[] head = ("blob " + data.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + data.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(data, 0, all, head.length, data.length);
        return HexFormat.of().formatHex(sha("SHA-1", all));
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
    }
}

package org.crs4j.models.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two requests {@code huggingface_hub} makes per file, over HTTPS: a HEAD of
 * {@code ENDPOINT/ORG/NAME/resolve/REVISION/FILE} for its metadata (commit, ETag, size, and where the bytes are:
 * large LFS files redirect to a CDN), then a GET of those bytes, resumed with a Range request after an interruption
 * and verified (size; sha256 when the ETag is one, as it is for LFS files).
 *
 * <p>The token is sent to the endpoint's host only, never to a CDN a redirect points to. Plain HTTP connections
 * ({@code HttpURLConnection}) are used for their read timeout: a stalled transfer fails and resumes instead of hanging.
 */
final class HubClient {
    private static final int ATTEMPTS = 3;
    private static final int MAX_REDIRECTS = 10;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    /** What the HEAD request says about a file. */
    record Metadata(String file, String commit, String etag, long size, URI location) {}

    private final HubSettings settings;
    private final int readTimeoutMillis;
    private final long retryPauseMillis;

    HubClient(HubSettings settings) {
        this(settings, 60_000, 500);
    }

    HubClient(HubSettings settings, int readTimeoutMillis, long retryPauseMillis) {
        this.settings = settings;
        this.readTimeoutMillis = readTimeoutMillis;
        this.retryPauseMillis = retryPauseMillis;
    }

    URI resolveUrl(String repoId, String revision, String file) {
        StringBuilder path = new StringBuilder();
        for (String part : file.split("/")) path.append('/').append(encode(part));
        return URI.create(settings.endpoint() + "/" + repoId + "/resolve/" + encode(revision) + path);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The file's metadata, or null when the repository has no such file (HTTP 404 that is not about the repository or
     * the revision). Relative redirects (renamed repositories) are followed; a redirect to another host (the CDN of
     * LFS files) is where the bytes are.
     */
    Metadata head(String repoId, String revision, String file) throws IOException {
        try {
            return headRequest(repoId, revision, file);
        } catch (HubException e) {
            throw e;
        } catch (IOException e) {
            throw new HubException(what(repoId, revision, file) + ": cannot reach " + settings.endpoint() + " (" + e
                    + "); without network, files already in the cache are used with HF_HUB_OFFLINE=1", e);
        }
    }

    private Metadata headRequest(String repoId, String revision, String file) throws IOException {
        URI uri = resolveUrl(repoId, revision, file);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c = open(uri, "HEAD", 0);
            try {
                int code = c.getResponseCode();
                if (code >= 300 && code < 400) {
                    String loc = c.getHeaderField("Location");
                    if (loc == null) throw new HubException(what(repoId, revision, file) + ": HTTP " + code + " without a Location");
                    URI next = uri.resolve(loc);
                    if (sameHost(next, uri) && !URI.create(loc).isAbsolute()) {
                        uri = next;
                        continue;
                    }
                    return metadata(c, repoId, revision, file, next);
                }
                if (code == 200) return metadata(c, repoId, revision, file, uri);
                String errorCode = c.getHeaderField("X-Error-Code"), message = c.getHeaderField("X-Error-Message");
                String detail = message == null ? "" : " (" + message + ")";
                if ("RepositoryNotFound".equals(errorCode) || code == 401) {
                    throw new HubException(repoId + ": repository not found on " + settings.endpoint() + " (HTTP " + code + ")" + detail
                            + (settings.token() == null ? "; for a private or gated repository set HF_TOKEN" : ""));
                }
                if ("RevisionNotFound".equals(errorCode)) {
                    throw new HubException(repoId + ": revision \"" + revision + "\" not found (HTTP " + code + ")" + detail);
                }
                if ("GatedRepo".equals(errorCode) || code == 403) {
                    throw new HubException(what(repoId, revision, file) + ": access denied (HTTP " + code + ")" + detail
                            + "; a gated repository needs its terms accepted on the Hub and HF_TOKEN set");
                }
                if (code == 404) return null;
                throw new HubException(what(repoId, revision, file) + ": HTTP " + code + detail);
            } finally {
                c.disconnect();
            }
        }
        throw new HubException(what(repoId, revision, file) + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private Metadata metadata(HttpURLConnection c, String repoId, String revision, String file, URI location) throws HubException {
        String etag = c.getHeaderField("X-Linked-Etag");
        if (etag == null) etag = c.getHeaderField("ETag");
        if (etag == null) {
            throw new HubException(what(repoId, revision, file) + ": the server sent no ETag; " + settings.endpoint()
                    + " does not look like a Hugging Face Hub (check HF_ENDPOINT)");
        }
        etag = etag.strip();
        if (etag.startsWith("W/")) etag = etag.substring(2);
        etag = etag.replace("\"", "");
        if (etag.isEmpty() || etag.contains("/") || etag.contains("\\") || etag.startsWith(".")) {
            throw new HubException(what(repoId, revision, file) + ": unusable ETag \"" + etag + "\"");
        }
        String size = c.getHeaderField("X-Linked-Size");
        if (size == null) size = c.getHeaderField("Content-Length");
        long n = -1;
        try {
            if (size != null) n = Long.parseLong(size.strip());
        } catch (NumberFormatException e) {
            throw new HubException(what(repoId, revision, file) + ": bad size header \"" + size + "\"");
        }
        return new Metadata(file, c.getHeaderField("X-Repo-Commit"), etag, n, location);
    }

    /**
     * Downloads a file into {@code part} (appending to what an earlier attempt left there), retrying interrupted
     * transfers, then verifies it. On success {@code part} holds the complete, verified file; on a verification
     * failure it is deleted; on an interruption it is kept for the next run to resume.
     */
    void download(Metadata m, Path part, String label, DownloadProgress progress) throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            if (m.size() >= 0 && have > m.size()) {
                Files.delete(part); // not a prefix of this file
                have = 0;
            }
            if (m.size() >= 0 && have == m.size() && have > 0) break;
            try {
                transfer(m, part, have, label, progress);
                last = null;
                break;
            } catch (HubException e) {
                throw e; // a refusal, not an interruption: retrying would not help
            } catch (IOException e) {
                last = e;
                if (attempt < ATTEMPTS) pause(attempt);
            }
        }
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (last != null) {
            throw new HubException(label + ": download interrupted after " + have + (m.size() >= 0 ? " of " + m.size() : "")
                    + " bytes (" + ATTEMPTS + " attempts; last: " + last.getMessage() + "); run again to resume from "
                    + part, last);
        }
        verify(m, part, label);
    }

    private void pause(int attempt) throws IOException {
        try {
            Thread.sleep(retryPauseMillis * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** One GET from byte {@code have} on; follows redirects, dropping the token when the host changes. */
    private void transfer(Metadata m, Path part, long have, String label, DownloadProgress progress) throws IOException {
        URI uri = m.location();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c = open(uri, "GET", have);
            try {
                int code = c.getResponseCode();
                if (code >= 300 && code < 400) {
                    String loc = c.getHeaderField("Location");
                    if (loc == null) throw new HubException(label + ": HTTP " + code + " without a Location from " + uri);
                    uri = uri.resolve(loc);
                    continue;
                }
                if (code == 416 && have > 0) {
                    if (have == m.size()) return; // already complete
                    Files.delete(part);
                    throw new IOException("the server refused to resume at byte " + have + " (HTTP 416); restarting");
                }
                boolean append;
                if (code == 206) {
                    Matcher r = CONTENT_RANGE.matcher(Objects.toString(c.getHeaderField("Content-Range"), ""));
                    if (!r.matches() || Long.parseLong(r.group(1)) != have) {
                        Files.deleteIfExists(part);
                        throw new IOException("the server resumed at the wrong place (" + c.getHeaderField("Content-Range")
                                + " for byte " + have + "); restarting");
                    }
                    append = true;
                } else if (code == 200) {
                    append = false; // a full body: start over even if a part was there
                } else if (code >= 500) {
                    throw new IOException(label + ": HTTP " + code + " from " + uri);
                } else {
                    throw new HubException(label + ": HTTP " + code + " from " + uri
                            + (code == 401 || code == 403 ? (settings.token() == null ? "; set HF_TOKEN" : "; is HF_TOKEN allowed to read it?") : ""));
                }
                long start = append ? have : 0, length = c.getContentLengthLong();
                long expected = length >= 0 ? start + length : m.size();
                long written = start;
                progress.start(label, expected, start);
                try (InputStream in = c.getInputStream();
                     OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                             append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.write(buf, 0, n);
                        written += n;
                        progress.advance(n);
                    }
                } finally {
                    progress.done();
                }
                if (expected >= 0 && written < expected) {
                    throw new IOException("connection closed after " + written + " of " + expected + " bytes");
                }
                return;
            } finally {
                c.disconnect();
            }
        }
        throw new HubException(label + ": more than " + MAX_REDIRECTS + " redirects from " + m.location());
    }

    /** Size, and sha256 when the ETag is a sha256 (LFS files); deletes the file when either is wrong. */
    private static void verify(Metadata m, Path part, String label) throws IOException {
        long size = Files.size(part);
        if (m.size() >= 0 && size != m.size()) {
            Files.delete(part);
            throw new HubException(label + ": downloaded " + size + " bytes, the Hub announced " + m.size()
                    + " (the download was deleted; run again)");
        }
        String etag = m.etag().toLowerCase(Locale.ROOT);
        if (SHA256.matcher(etag).matches()) {
            String actual = sha256(part);
            if (!actual.equals(etag)) {
                Files.delete(part);
                throw new HubException(label + ": checksum mismatch: expected sha256 " + etag + " (the Hub's ETag), got " + actual
                        + " (the download was deleted; run again)");
            }
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private HttpURLConnection open(URI uri, String method, long from) throws IOException {
        String scheme = uri.getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme)) throw new HubException("not an HTTP(S) address: " + uri);
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout(20_000);
        c.setReadTimeout(readTimeoutMillis);
        c.setUseCaches(false);
        c.setRequestProperty("User-Agent", "crs4j/" + org.crs4j.tensor.Version.get() + "; java/" + Runtime.version().feature());
        c.setRequestProperty("Accept-Encoding", "identity");
        if (settings.token() != null && sameHost(uri, settings.endpoint())) {
            c.setRequestProperty("Authorization", "Bearer " + settings.token());
        }
        if (from > 0) c.setRequestProperty("Range", "bytes=" + from + "-");
        return c;
    }

    private static boolean sameHost(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost()) && a.getPort() == b.getPort();
    }

    private static String what(String repoId, String revision, String file) {
        return repoId + " " + file + " (revision " + revision + ")";
    }
}

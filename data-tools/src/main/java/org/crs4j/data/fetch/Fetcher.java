package org.crs4j.data.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.crs4j.data.prepare.Progress;
import org.crs4j.io.Problems;

/**
 * Downloads release files: into {@code target.part}, resuming a partial file with an HTTP Range request, then checks
 * the SHA-256 and renames the part file onto the target, so the target only ever exists complete and verified. Zips
 * are unpacked entry by entry the same way (temporary file, rename), refusing entries that would land outside their
 * folder.
 */
public final class Fetcher {
    private final HttpClient client;
    private final java.util.function.Consumer<String> log;
    private final URI mirror;

    /** @param mirror if not null, every file is fetched from {@code mirror/<target>} instead of its official URL */
    public Fetcher(URI mirror, java.util.function.Consumer<String> log) {
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();
        this.log = log;
        this.mirror = mirror;
    }

    public URI source(Download d) {
        if (mirror == null) return d.url();
        String base = mirror.toString().endsWith("/") ? mirror.toString() : mirror + "/";
        return URI.create(base + d.target());
    }

    /**
     * Fetches one file into {@code dataDir}; returns its path. Folders are created only once the server answers with
     * the file, so a failed fetch (offline, a wrong URL) leaves nothing behind but a resumable {@code .part} file.
     */
    public Path fetch(Download d, Path dataDir, Progress progress) throws IOException {
        Path target = dataDir.resolve(d.target()).normalize();
        if (Files.isRegularFile(target) && (d.sha256() == null || d.sha256().equals(sha256(target)))) {
            log.accept("present  " + d.target());
        } else {
            download(d, target, progress);
        }
        if (d.unzipTo() != null) unzip(target, dataDir.resolve(d.unzipTo()).normalize());
        return target;
    }

    private void download(Download d, Path target, Progress progress) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        URI uri = source(d);
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).GET();
        if (have > 0) req.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> resp;
        try {
            resp = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + uri);
        } catch (IOException e) {
            throw new IOException("cannot reach " + uri.getHost() + " to fetch " + d.target() + " (" + uri + "): "
                    + Problems.reason(e) + ". Without the network, copy the release files into " + target.getParent()
                    + " by hand, or serve them from another machine and pass --mirror URL", e);
        }
        int status = resp.statusCode();
        boolean append = have > 0 && status == 206;
        if (status == 416 && have > 0) {
            resp.body().close(); // the part file already holds everything
        } else if (status != 200 && status != 206) {
            resp.body().close();
            throw new IOException("HTTP " + status + " fetching " + uri);
        } else {
            Files.createDirectories(target.getParent()); // the server has the file: now there is something to keep
            long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            progress.start(d.target(), length < 0 ? -1 : length + (append ? have : 0));
            if (append) progress.advance(have);
            try (InputStream in = resp.body();
                 OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    progress.advance(n);
                }
            } finally {
                progress.done();
            }
            log.accept((append ? "resumed  " : "fetched  ") + d.target() + (append ? " (from byte " + have + ")" : ""));
        }
        String actual = sha256(part);
        if (d.sha256() != null && !d.sha256().equals(actual)) {
            Files.deleteIfExists(part);
            throw new IOException("checksum mismatch for " + d.target() + " from " + uri + ": expected sha256 " + d.sha256()
                    + ", got " + actual + " (the partial file was deleted; run fetch again)");
        }
        if (d.sha256() == null) {
            log.accept("         sha256 " + actual + " (no published checksum to verify against; recorded in " + target.getFileName() + ".sha256)");
            Files.writeString(target.resolveSibling(target.getFileName() + ".sha256"), actual + "  " + target.getFileName() + "\n");
        } else {
            log.accept("         sha256 verified");
        }
        move(part, target);
    }

    static void unzip(Path zip, Path into) throws IOException {
        Files.createDirectories(into);
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path out = into.resolve(e.getName()).normalize();
                if (!out.startsWith(into)) throw new IOException(zip.getFileName() + ": entry " + e.getName() + " would be written outside " + into);
                if (e.isDirectory()) { Files.createDirectories(out); continue; }
                Files.createDirectories(out.getParent());
                Path tmp = Files.createTempFile(out.getParent(), out.getFileName().toString(), ".tmp");
                try {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    move(tmp, out);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static String sha256(Path file) throws IOException {
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
}

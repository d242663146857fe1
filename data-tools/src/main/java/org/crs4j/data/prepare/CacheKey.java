package org.crs4j.data.prepare;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a prepared cache depends on, hashed: the cache format and preparation algorithm versions, the options, and for
 * every input file its path,
 * size and modification time, plus the content of files up to {@value #HASHED_BYTES} bytes (where a same-size edit
 * with a restored mtime is cheap to make and cheap to catch). Large inputs are trusted by size and mtime, so a
 * cached reload stays in the seconds.
 */
public final class CacheKey {
    static final long HASHED_BYTES = 1 << 20;

    private CacheKey() {}

    public static String of(List<Path> inputDirs, Path base, String options) {
        MessageDigest sha = sha256();
        update(sha, "crs4j-prepared v" + PreparedCache.FORMAT_VERSION + " algorithm " + Preparer.ALGORITHM_VERSION + "\n" + options + "\n");
        List<Path> files = new ArrayList<>();
        for (Path dir : inputDirs) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".md")).forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        files.sort(null);
        for (Path f : files) {
            try {
                long size = Files.size(f);
                update(sha, base.relativize(f.toAbsolutePath()) + "\t" + size + "\t" + Files.getLastModifiedTime(f).toMillis() + "\n");
                if (size <= HASHED_BYTES) {
                    try (InputStream in = Files.newInputStream(f)) {
                        byte[] buf = new byte[1 << 16];
                        for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void update(MessageDigest sha, String s) { sha.update(s.getBytes(StandardCharsets.UTF_8)); }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

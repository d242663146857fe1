package org.crs4j.data;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.crs4j.data.io.DataFile;

/** Writes small generated fixture files (plain or gzip) for the reader tests. */
public final class Fixtures {
    private Fixtures() {}

    public static Path write(Path dir, String relative, String content) {
        try {
            Path p = dir.resolve(relative);
            Files.createDirectories(p.getParent());
            if (relative.endsWith(".gz")) {
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
                    out.write(content.getBytes(StandardCharsets.UTF_8));
                }
            } else {
                Files.writeString(p, content);
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DataFile file(Path dir, String relative, String content) {
        write(dir, relative, content);
        return new DataFile(dir.resolve(relative), relative);
    }

    /** Lines joined with \n and a final newline. */
    public static String lines(String... lines) { return String.join("\n", lines) + "\n"; }

    /** Single quotes to double quotes, so JSON fixtures stay readable inside Java strings. */
    public static String json(String s) { return s.replace('\'', '"'); }
}

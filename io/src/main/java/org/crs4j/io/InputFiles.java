package org.crs4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/**
 * The one place a reader asks what a path is before opening it. Opening a named pipe blocks until something writes
 * to it, and a device such as {@code /dev/zero} never ends, so every reader refuses what is neither a regular file
 * nor a folder <em>before</em> opening it, with a message that says what the path is instead.
 */
public final class InputFiles {
    private InputFiles() {}

    /** What a path is, in words: "a regular file", "a folder", "a named pipe (FIFO)", ..., or "missing". */
    public static String kind(Path p) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            return "missing";
        }
        if (a.isRegularFile()) return "a regular file";
        if (a.isDirectory()) return "a folder";
        return special(p);
    }

    private static String special(Path p) {
        try {
            Map<String, Object> unix = Files.readAttributes(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int type = ((Integer) unix.get("mode")) & 0170000;
            return switch (type) {
                case 0010000 -> "a named pipe (FIFO)";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a special file";
        }
    }

    /**
     * Null when {@code p} is a regular file, else what is wrong with it ("no such file", "is a named pipe (FIFO), not
     * a regular file"), for callers that word their own errors ({@code --hypotheses FILE: no such file}).
     */
    public static String problem(Path p) {
        String kind = kind(p);
        return switch (kind) {
            case "a regular file" -> null;
            case "missing" -> "no such file";
            default -> "is " + kind + ", not a regular file";
        };
    }

    /** {@code p} when it is a regular file; otherwise an exception saying what it is. */
    public static Path requireFile(Path p) throws IOException {
        String kind = kind(p);
        return switch (kind) {
            case "a regular file" -> p;
            case "missing" -> throw new NoSuchFileException(p.toString(), null, "no such file");
            case "a folder" -> throw new NotRegularFileException(p.toString(), "is a folder, not a file");
            default -> throw new NotRegularFileException(p.toString(), "is " + kind + ", not a regular file: crs4j reads only regular files");
        };
    }

    /** {@code p} when it is a folder; otherwise an exception saying what it is. */
    public static Path requireFolder(Path p) throws IOException {
        String kind = kind(p);
        return switch (kind) {
            case "a folder" -> p;
            case "missing" -> throw new NoSuchFileException(p.toString(), null, "no such folder");
            case "a regular file" -> throw new NotDirectoryException(p.toString());
            default -> throw new NotRegularFileException(p.toString(), "is " + kind + ", not a folder");
        };
    }

    /** {@code p} when it is a regular file or a folder; otherwise an exception saying what it is. */
    public static Path requireFileOrFolder(Path p) throws IOException {
        String kind = kind(p);
        return switch (kind) {
            case "a regular file", "a folder" -> p;
            case "missing" -> throw new NoSuchFileException(p.toString(), null, "no such file or folder");
            default -> throw new NotRegularFileException(p.toString(), "is " + kind + ", not a regular file or folder: crs4j reads only those");
        };
    }

    /** A stream over a regular file (checked first). */
    public static InputStream open(Path file) throws IOException {
        return Files.newInputStream(requireFile(file));
    }

    /** A read-only channel over a regular file (checked first), e.g. to memory-map it. */
    public static FileChannel channel(Path file) throws IOException {
        return FileChannel.open(requireFile(file), StandardOpenOption.READ);
    }

    /** The bytes of a regular file of at most {@code limit} bytes (a larger one is refused before it is read). */
    public static byte[] readAll(Path file, long limit) throws IOException {
        long size = Files.size(requireFile(file));
        if (size > limit) throw new FileFormatException(file, "is " + size + " bytes, more than the " + limit + " this kind of file may have");
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
        }
    }
}

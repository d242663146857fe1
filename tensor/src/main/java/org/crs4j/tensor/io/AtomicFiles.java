package org.crs4j.tensor.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that a crash, an exception or a full disk during the write never destroys the previous version:
 * the content goes to a temporary file in the same folder ({@code .NAME.RANDOM.tmp}), is forced to the device, then
 * renamed over the target in one atomic step. Readers see either the old file or the new one, never a mix; a reader
 * that has the old file memory-mapped keeps reading the old content.
 *
 * <p>Used for safetensors files; checkpoints, caches and outputs elsewhere in crs4j should use it too.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content of a file through a channel positioned at 0. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Replaces {@code target} with what {@code content} writes. On any failure the temporary file is deleted and
     * {@code target} is left as it was.
     */
    public static void write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(String.valueOf(dir), null, "cannot write " + target + ": folder does not exist");
        }
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(ch);
                ch.force(true); // the data must be on the device before the rename makes it the file
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                // Some file systems (network, FUSE) cannot rename atomically; a plain replace is the best they allow.
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncFolder(dir);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is what the caller needs to see
                }
            }
        }
    }

    /** Replaces {@code target} with {@code text} in UTF-8, atomically (see {@link #write}). */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        write(target, ch -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** Makes the rename itself durable (POSIX); not possible on every platform, where the rename still happened. */
    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows cannot open a folder as a channel; the rename is done, only its durability is less certain.
        }
    }
}

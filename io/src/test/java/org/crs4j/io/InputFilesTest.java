package org.crs4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Special files are refused by what they are, before anything opens them (opening a FIFO would block). */
class InputFilesTest {
    @TempDir Path dir;

    static Path fifo(Path dir) throws Exception {
        Path p = dir.resolve("pipe");
        Process mk = new ProcessBuilder("mkfifo", p.toString()).start();
        assumeTrue(mk.waitFor() == 0, "mkfifo is not available here");
        return p;
    }

    @Test
    void fifoAndDevicesAreRefusedWithoutBlocking() throws Exception {
        Path fifo = fifo(dir);
        assertEquals("a named pipe (FIFO)", InputFiles.kind(fifo));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            var e = assertThrows(NotRegularFileException.class, () -> InputFiles.open(fifo));
            assertEquals(fifo + ": is a named pipe (FIFO), not a regular file: crs4j reads only regular files", e.getMessage());
            assertThrows(NotRegularFileException.class, () -> InputFiles.channel(fifo));
            assertThrows(NotRegularFileException.class, () -> InputFiles.requireFileOrFolder(fifo));
            assertThrows(NotRegularFileException.class, () -> StrictJson.read(fifo, 100));
        });
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertEquals("a character device", InputFiles.kind(zero));
            assertThrows(NotRegularFileException.class, () -> InputFiles.readAll(zero, 100));
        }
    }

    @Test
    void filesFoldersAndMissingPaths() throws IOException {
        Path file = Files.writeString(dir.resolve("a.txt"), "hello");
        assertEquals(file, InputFiles.requireFile(file));
        assertEquals(dir, InputFiles.requireFolder(dir));
        assertEquals(dir, InputFiles.requireFileOrFolder(dir));
        var folder = assertThrows(NotRegularFileException.class, () -> InputFiles.requireFile(dir));
        assertTrue(folder.getMessage().endsWith("is a folder, not a file"), folder.getMessage());
        assertThrows(NotDirectoryException.class, () -> InputFiles.requireFolder(file));
        var missing = assertThrows(NoSuchFileException.class, () -> InputFiles.open(dir.resolve("none")));
        assertEquals(dir.resolve("none") + ": no such file", missing.getMessage());
        var big = assertThrows(FileFormatException.class, () -> InputFiles.readAll(file, 3));
        assertTrue(big.getMessage().startsWith(file + ": is 5 bytes, more than the 3"), big.getMessage());
        assertEquals("hello", new String(InputFiles.readAll(file, 5)));
    }
}

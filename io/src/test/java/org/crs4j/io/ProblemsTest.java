package org.crs4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failures Java reports badly, each turned into words that say what happened. */
class ProblemsTest {
    @TempDir Path dir;

    @Test
    void emptyAndTruncatedGzipSayWhatIsWrongNotNull() throws IOException {
        EOFException empty = assertThrows(EOFException.class, () -> new GZIPInputStream(new ByteArrayInputStream(new byte[0])));
        assertEquals(null, empty.getMessage(), "what Java says about an empty gzip stream");
        assertEquals("the data ends early", Problems.reason(empty));
        IOException notGzip = assertThrows(IOException.class, () -> new GZIPInputStream(new ByteArrayInputStream("plain".getBytes())));
        assertEquals("not gzip data (no gzip header)", Problems.reason(notGzip));
    }

    @Test
    void deepNestingNamesTheLimitInsteadOfCrashing() throws IOException {
        Path deep = Files.writeString(dir.resolve("deep.json"), "[".repeat(5000) + "]".repeat(5000));
        var e = assertThrows(FileFormatException.class, () -> StrictJson.read(deep, 1 << 20));
        assertTrue(e.getMessage().startsWith(deep + ": JSON exceeds a reader limit: "), e.getMessage());
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("StreamReadConstraints"), e.getMessage());
    }

    @Test
    void jsonErrorsCarryLineAndColumnAndRefuseTrailingContentAndRepeatedKeys() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\n  \"a\": 1,\n  \"b\": }\n");
        var e = assertThrows(FileFormatException.class, () -> StrictJson.read(bad, 1 << 20));
        assertTrue(e.getMessage().startsWith(bad + ": invalid JSON: ") && e.getMessage().contains("at line 3, column"), e.getMessage());
        Path trailing = Files.writeString(dir.resolve("trailing.json"), "{\"a\": 1} {\"b\": 2}");
        e = assertThrows(FileFormatException.class, () -> StrictJson.read(trailing, 1 << 20));
        assertTrue(e.getMessage().contains("content after the end of the top-level JSON value"), e.getMessage());
        Path twice = Files.writeString(dir.resolve("twice.json"), "{\"a\": 1, \"a\": 2}");
        e = assertThrows(FileFormatException.class, () -> StrictJson.read(twice, 1 << 20));
        assertTrue(e.getMessage().contains("Duplicate field 'a'"), e.getMessage());
        Path empty = Files.writeString(dir.resolve("empty.json"), "  ");
        e = assertThrows(FileFormatException.class, () -> StrictJson.read(empty, 1 << 20));
        assertEquals(empty + ": empty file, expected JSON", e.getMessage());
        Path array = Files.writeString(dir.resolve("array.json"), "[1]");
        e = assertThrows(FileFormatException.class, () -> StrictJson.readObject(array, 1 << 20));
        assertEquals(array + ": expected a JSON object, found an array", e.getMessage());
        Path big = Files.writeString(dir.resolve("big.json"), "{\"a\": \"" + "x".repeat(100) + "\"}");
        e = assertThrows(FileFormatException.class, () -> StrictJson.read(big, 50));
        assertTrue(e.getMessage().contains("at most 50"), e.getMessage());
    }

    @Test
    void fileSystemAndNetworkFailuresGiveTheirReason() {
        assertEquals("permission denied", Problems.reason(new AccessDeniedException("/x/cache")));
        assertEquals("/x/cache: permission denied", Problems.describe(Path.of("/x/cache"), new AccessDeniedException("/x/cache")));
        assertEquals("/x/cache: /x/cache/.tmp: permission denied",
                Problems.describe(Path.of("/x/cache"), new AccessDeniedException("/x/cache/.tmp")));
        assertEquals("No space left on device", Problems.reason(new FileSystemException("/x", null, "No space left on device")));
        assertEquals("connection refused or network unreachable", Problems.reason(new ConnectException()));
        var unresolved = new ConnectException();
        unresolved.initCause(new UnresolvedAddressException());
        assertTrue(Problems.reason(unresolved).startsWith("host not found"), Problems.reason(unresolved));
        assertEquals("permission denied", Problems.reason(new UncheckedIOException(new AccessDeniedException("/y"))));
        assertEquals("null pointer exception", Problems.reason(new NullPointerException()));
        assertEquals("a b", Problems.oneLine("a\nb"));
    }
}

package org.crs4j.data.io;

import static org.crs4j.data.Fixtures.json;
import static org.crs4j.data.Fixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.data.FixtureData;
import org.crs4j.data.Fixtures;
import org.crs4j.data.fetch.Download;
import org.crs4j.data.fetch.Fetcher;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.prepare.PrepareOptions;
import org.crs4j.data.prepare.PreparedData;
import org.crs4j.data.prepare.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures that used to name nothing, point at the wrong line, or pass silently. */
class HardenedReadersTest {
    @TempDir Path dir;

    @Test
    void invalidUtf8InACsvIsReportedAtItsOwnLine() throws IOException {
        StringBuilder csv = new StringBuilder("movieId,movieName,nbMentions\n");
        for (int i = 1; i < 3000; i++) csv.append(i).append(",A long enough movie name number ").append(i).append(" (1999),1\n");
        byte[] head = csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bad = "3000,Caf\u00e9 (1999),1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        bad[8] = (byte) 0xFF; // where the é's first byte was
        Path p = dir.resolve("movies.csv");
        Files.write(p, concat(head, bad, "3001,After (2000),1\n".getBytes()));
        var e = assertThrows(MalformedDataException.class, () -> Csv.forEach(DataFile.of(p), ReadReport.strict(), (f, line) -> {}));
        assertEquals("movies.csv line 3001: invalid UTF-8 (1 undecodable byte)", e.getMessage());
    }

    @Test
    void emptyTruncatedAndHeaderlessGzipAreNamed() throws IOException {
        Path empty = Files.write(dir.resolve("a.jsonl.gz"), new byte[0]);
        var e = assertThrows(MalformedDataException.class, () -> TextLines.readAll(DataFile.of(empty)));
        assertEquals("a.jsonl.gz: empty file, not gzip data", e.getMessage());
        Path plain = Files.writeString(dir.resolve("b.jsonl.gz"), "{\"a\": 1}\n");
        e = assertThrows(MalformedDataException.class, () -> TextLines.readAll(DataFile.of(plain)));
        assertEquals("b.jsonl.gz: not a valid gzip file: not gzip data (no gzip header)", e.getMessage());
        Fixtures.write(dir, "c.jsonl.gz", lines("{\"a\": 1}".repeat(1), "{\"b\": 2}"));
        byte[] gz = Files.readAllBytes(dir.resolve("c.jsonl.gz"));
        Path cut = Files.write(dir.resolve("d.jsonl.gz"), java.util.Arrays.copyOf(gz, gz.length - 12));
        e = assertThrows(MalformedDataException.class, () -> TextLines.readAll(DataFile.of(cut)));
        assertTrue(e.getMessage().startsWith("d.jsonl.gz line ") && e.getMessage().contains("corrupt or truncated gzip data: the data ends early"),
                e.getMessage());
        assertFalse(e.getMessage().contains("null"), e.getMessage());
    }

    @Test
    void deeplyNestedJsonNamesTheFileAndLine() {
        DataFile f = Fixtures.file(dir, "deep.jsonl", lines("{\"a\": 1}", "[".repeat(3000) + "]".repeat(3000)));
        var e = assertThrows(MalformedDataException.class, () -> Json.forEachLine(f, ReadReport.strict(), (n, at) -> {}));
        assertTrue(e.getMessage().startsWith("deep.jsonl line 2: JSON exceeds a reader limit: "), e.getMessage());
        DataFile whole = Fixtures.file(dir, "deep.json", "{\"x\": " + "[".repeat(3000) + "]".repeat(3000) + "}");
        e = assertThrows(MalformedDataException.class, () -> Json.readSmall(whole));
        assertTrue(e.getMessage().startsWith("deep.json: JSON exceeds a reader limit"), e.getMessage());
        DataFile trailing = Fixtures.file(dir, "trailing.json", "[1, 2] [3]");
        e = assertThrows(MalformedDataException.class, () -> Json.forEachArrayElement(trailing, ReadReport.strict(), (n, at) -> {}));
        assertEquals("trailing.json line 1: content after the end of the top-level JSON value", e.getMessage());
    }

    @Test
    void aConversationWithoutMessagesAndAnEmptySplitAreRefusedOrCountedWithLenient() {
        Path data = FixtureData.redial(dir.resolve("data"));
        Fixtures.write(data, "redial/raw/test_data.jsonl.gz", lines(json("{'conversationId':'9','initiatorWorkerId':1,'respondentWorkerId':2,"
                + "'movieMentions':{},'messages':[]}")));
        var strict = assertThrows(MalformedDataException.class, () -> Datasets.get("redial").load(data, DatasetLoader.Options.strict()));
        assertEquals("redial/raw/test_data.jsonl.gz line 1, field messages: no messages: a conversation needs at least one", strict.getMessage());
        ReadReport lenient = ReadReport.lenient();
        var d = Datasets.get("redial").load(data, new DatasetLoader.Options(lenient, null));
        assertEquals(0, d.split(org.crs4j.data.model.Split.TEST).size());
        assertEquals(List.of("skipped 2 malformed records in redial/raw/test_data.jsonl.gz",
                "  e.g. redial/raw/test_data.jsonl.gz line 1, field messages: no messages: a conversation needs at least one",
                "  e.g. redial/raw/test_data.jsonl.gz: holds no conversations"), lenient.summary());
    }

    @Test
    void anEmptyCatalogueIsRefused() {
        Path data = FixtureData.redial(dir.resolve("data"));
        Fixtures.write(data, "redial/raw/movies_with_mentions.csv", lines("movieId,movieName,nbMentions"));
        var e = assertThrows(MalformedDataException.class, () -> Datasets.get("redial").load(data, DatasetLoader.Options.strict()));
        assertEquals("redial/raw/movies_with_mentions.csv: holds no movies: an empty catalogue", e.getMessage());
    }

    @Test
    void anUnwritableCacheSaysWhy() {
        Path data = FixtureData.gorecdial(dir.resolve("data"));
        Path cache = Path.of("/sys/crs4j-cache-test");
        var e = assertThrows(UncheckedIOException.class, () -> PreparedData.obtain(data, "gorecdial", DatasetLoader.Options.strict(),
                PrepareOptions.defaults(), cache, false, Progress.NONE));
        assumeTrue(e.getMessage().contains("Operation not permitted"), "/sys is not the read-only file system it is on Linux: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("could not write the cache " + cache.resolve("gorecdial-default.prepared") + ": Operation not permitted")
                && e.getMessage().endsWith("choose a writable folder with --cache-dir or CRS4J_CACHE_DIR"), e.getMessage());
    }

    @Test
    void fetchingOfflineNamesHostAndFileAndLeavesNoFolders() throws IOException {
        List<String> log = new ArrayList<>();
        Fetcher f = new Fetcher(java.net.URI.create("http://127.0.0.1:9/"), log::add); // the discard port: nothing listens
        Path data = dir.resolve("fetched");
        var e = assertThrows(IOException.class, () -> f.fetch(Download.of("https://example.org/x.zip", "redial/raw/x.zip", null), data, Progress.NONE));
        assertTrue(e.getMessage().startsWith("cannot reach 127.0.0.1 to fetch redial/raw/x.zip (http://127.0.0.1:9/redial/raw/x.zip): "
                + "connection refused"), e.getMessage());
        assertTrue(e.getMessage().contains("copy the release files into " + data.resolve("redial/raw") + " by hand")
                && e.getMessage().contains("--mirror URL"), e.getMessage());
        assertFalse(Files.exists(data), "no empty folders left behind");
    }

    @Test
    void fetchWritesWhereStatsAndPrepareRead() throws IOException {
        assertEquals(Path.of("../shared/data"), org.crs4j.data.cli.DataDirectory.forWriting(null, null));
        assertEquals(Path.of("/x/data"), org.crs4j.data.cli.DataDirectory.forWriting(null, "/x/data"));
        assertEquals(dir.resolve("new"), org.crs4j.data.cli.DataDirectory.forWriting(dir.resolve("new"), "/x/data"));
        Path file = Files.writeString(dir.resolve("file"), "x");
        var e = assertThrows(org.crs4j.data.model.MissingDataException.class, () -> org.crs4j.data.cli.DataDirectory.forWriting(file, null));
        assertEquals("data directory " + file + " (from --data-dir) is not a folder", e.getMessage());
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}

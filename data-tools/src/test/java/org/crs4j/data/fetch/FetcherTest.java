package org.crs4j.data.fetch;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.crs4j.data.prepare.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetcherTest {
    @TempDir Path served;
    @TempDir Path data;
    final List<String> log = new ArrayList<>();

    private byte[] payload() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50_000; i++) sb.append("line ").append(i).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Fetcher fetcher(FileServer s) { return new Fetcher(s.base(), log::add); }

    @Test
    void downloadsVerifiesAndRenamesAtomically() throws Exception {
        byte[] bytes = payload();
        Files.createDirectories(served.resolve("ds"));
        Files.write(served.resolve("ds/file.txt"), bytes);
        String sha = sha(served.resolve("ds/file.txt"));
        try (FileServer s = new FileServer(served)) {
            Path got = fetcher(s).fetch(Download.of("https://example.org/official/file.txt", "ds/file.txt", sha), data, Progress.NONE);
            assertArrayEquals(bytes, Files.readAllBytes(got));
            assertFalse(Files.exists(data.resolve("ds/file.txt.part")));
            assertTrue(log.contains("         sha256 verified"), log.toString());
            log.clear();
            fetcher(s).fetch(Download.of("https://example.org/official/file.txt", "ds/file.txt", sha), data, Progress.NONE);
            assertEquals(List.of("present  ds/file.txt"), log, "a verified file is not fetched again");
        }
    }

    @Test
    void checksumMismatchLeavesNothingBehind() throws Exception {
        Files.createDirectories(served.resolve("ds"));
        Files.write(served.resolve("ds/file.txt"), payload());
        try (FileServer s = new FileServer(served)) {
            var e = assertThrows(IOException.class, () -> fetcher(s).fetch(Download.of("https://x/file.txt", "ds/file.txt", "0".repeat(64)), data, Progress.NONE));
            assertTrue(e.getMessage().startsWith("checksum mismatch for ds/file.txt"), e.getMessage());
            assertFalse(Files.exists(data.resolve("ds/file.txt")));
            assertFalse(Files.exists(data.resolve("ds/file.txt.part")));
        }
    }

    @Test
    void notFoundIsAnErrorNamingTheUrl() throws Exception {
        try (FileServer s = new FileServer(served)) {
            var e = assertThrows(IOException.class, () -> fetcher(s).fetch(Download.of("https://x/missing.txt", "ds/missing.txt", null), data, Progress.NONE));
            assertEquals("HTTP 404 fetching " + s.base() + "ds/missing.txt", e.getMessage());
            assertFalse(Files.exists(data.resolve("ds/missing.txt")));
        }
    }

    @Test
    void resumesAPartialDownloadWithARangeRequest() throws Exception {
        byte[] bytes = payload();
        Files.createDirectories(served.resolve("ds"));
        Files.write(served.resolve("ds/file.txt"), bytes);
        Files.createDirectories(data.resolve("ds"));
        int half = bytes.length / 2;
        Files.write(data.resolve("ds/file.txt.part"), java.util.Arrays.copyOf(bytes, half));
        try (FileServer s = new FileServer(served)) {
            fetcher(s).fetch(Download.of("https://x/file.txt", "ds/file.txt", sha(served.resolve("ds/file.txt"))), data, Progress.NONE);
            assertEquals(List.of("bytes=" + half + "-"), s.ranges);
            assertArrayEquals(bytes, Files.readAllBytes(data.resolve("ds/file.txt")));
        }
    }

    @Test
    void withoutPublishedChecksumTheHashIsRecorded() throws Exception {
        Files.createDirectories(served.resolve("ds"));
        Files.write(served.resolve("ds/file.txt"), payload());
        try (FileServer s = new FileServer(served)) {
            fetcher(s).fetch(Download.of("https://x/file.txt", "ds/file.txt", null), data, Progress.NONE);
            String recorded = Files.readString(data.resolve("ds/file.txt.sha256"));
            assertEquals(sha(served.resolve("ds/file.txt")) + "  file.txt\n", recorded);
        }
    }

    @Test
    void zipsAreUnpackedAndMayNotEscapeTheirFolder() throws Exception {
        Files.createDirectories(served.resolve("ds"));
        zip(served.resolve("ds/release.zip"), "release/train_data.jsonl", "{}\n");
        zip(served.resolve("ds/evil.zip"), "../../outside.txt", "gotcha");
        try (FileServer s = new FileServer(served)) {
            fetcher(s).fetch(Download.of("https://x/release.zip", "ds/release.zip", null).unzippedTo("ds"), data, Progress.NONE);
            assertEquals("{}\n", Files.readString(data.resolve("ds/release/train_data.jsonl")));
            var e = assertThrows(IOException.class, () -> fetcher(s).fetch(Download.of("https://x/evil.zip", "ds/evil.zip", null).unzippedTo("ds"), data, Progress.NONE));
            assertTrue(e.getMessage().contains("outside"), e.getMessage());
            assertFalse(Files.exists(data.getParent().resolve("outside.txt")));
        }
    }

    /** The built-in checksums are those of the real files: served from ../shared, they verify. */
    @Test
    void officialChecksumsMatchTheSharedCopy() throws Exception {
        String shared = System.getProperty("crs4j.shared");
        assertNotNull(shared, "the crs4j.shared system property is set by the parent pom's Surefire argLine");
        Path dataRoot = Path.of(shared, "data");
        assertTrue(Files.isRegularFile(dataRoot.resolve("opendialkg/opendialkg_relations.txt")), "shared data is beside the project");
        Download relations = OfficialSources.RELEASES.get("opendialkg").downloads().stream()
                .filter(d -> d.target().endsWith("relations.txt")).findFirst().orElseThrow();
        try (FileServer s = new FileServer(dataRoot)) {
            Path got = fetcher(s).fetch(relations, data, Progress.NONE);
            assertEquals(relations.sha256(), sha(got));
            assertEquals(1358, Files.readAllLines(got).size());
        }
    }

    private static void zip(Path zip, String entry, String content) throws IOException {
        try (OutputStream o = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(o)) {
            z.putNextEntry(new ZipEntry(entry));
            z.write(content.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
    }

    static String sha(Path p) throws IOException { return Fetcher.sha256(p); }
}

package org.crs4j.data.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.crs4j.data.FixtureData;
import org.crs4j.data.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCliTest {
    @TempDir Path data;
    @TempDir Path cache;

    record Run(int code, String out, String err) {}

    /** Runs {@code data ...} the way crs4j's Main does: failures become one line on stderr. */
    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = new CommandLine(new DataCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("crs4j " + cmd.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void statsPrintsPresentPublishedAndShare() {
        FixtureData.redial(data);
        Run r = run("stats", "redial", "--data-dir", data.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*dialogues\\s+4\\s+10,006\\s+0.04%.*"), r.out());
        assertTrue(r.out().matches("(?s).*utterances\\s+10\\s+182,150\\s+0.01%.*"), r.out());
        assertTrue(r.out().contains("train / valid / test") && r.out().contains("2 / 1 / 1"), r.out());
        assertTrue(r.out().matches("(?s).*KG triples\\s+5\\s.*"), r.out());
        assertTrue(r.out().contains("note: split:"), r.out());
    }

    @Test
    void statsOfAnAbsentDatasetShowsThePublishedFigures() {
        FixtureData.redial(data);
        Run r = run("stats", "gorecdial", "--data-dir", data.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("gorecdial: not present"), r.out());
        assertTrue(r.out().contains("9,125 dialogues, 170,904 utterances, 5,300 items"), r.out());
    }

    @Test
    void prepareWritesTheCacheThenReloadsIt() {
        FixtureData.gorecdial(data);
        Run first = run("prepare", "gorecdial", "--data-dir", data.toString(), "--cache-dir", cache.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("gorecdial: prepared in"), first.out());
        assertTrue(first.out().matches("(?s).*train\\s+1 dialogues\\s+2 turns\\s+1 recommendation samples\\s+1 response samples.*"), first.out());
        assertTrue(Files.isRegularFile(cache.resolve("gorecdial-default.prepared")));
        Run second = run("prepare", "gorecdial", "--data-dir", data.toString(), "--cache-dir", cache.toString());
        assertTrue(second.out().contains("gorecdial: loaded from cache"), second.out());
        Run distinct = run("prepare", "gorecdial", "--data-dir", data.toString(), "--cache-dir", cache.toString(), "--inverse", "distinct");
        assertTrue(distinct.out().contains("prepared in"), "a new option means a new cache key: " + distinct.out());
        assertTrue(distinct.out().contains("5 relations = 2 kept of 2"), distinct.out());
    }

    @Test
    void errorsAreOneClearLine() {
        Run missingDir = run("stats", "redial", "--data-dir", data.resolve("nowhere").toString());
        assertEquals(1, missingDir.code());
        assertEquals("crs4j stats: data directory " + data.resolve("nowhere") + " (from --data-dir) does not exist or is not a folder", missingDir.err().strip());

        Run unknown = run("stats", "movielands", "--data-dir", data.toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("unknown dataset \"movielands\" (known: redial, inspired, opendialkg, tgredial, gorecdial)"), unknown.err());

        Run absent = run("prepare", "gorecdial", "--data-dir", data.toString(), "--cache-dir", cache.toString());
        assertEquals(1, absent.code());
        assertTrue(absent.err().startsWith("crs4j prepare: GoRecDial is not in"), absent.err());
        assertEquals(1, absent.err().strip().lines().count());

        Run badInverse = run("prepare", "gorecdial", "--data-dir", FixtureData.gorecdial(data).toString(), "--cache-dir", cache.toString(), "--inverse", "sideways");
        assertTrue(badInverse.err().contains("--inverse must be shared or distinct"), badInverse.err());
    }

    @Test
    void malformedRecordsStopTheRunUnlessLenient() {
        FixtureData.redial(data);
        Fixtures.write(data, "redial/raw/test_data.jsonl.gz", Fixtures.lines("{\"conversationId\":\"1\",\"initiatorWorkerId\":1,\"respondentWorkerId\":2,"
                + "\"messages\":[{\"senderWorkerId\":1,\"text\":\"hi\"}]}", "{broken"));
        Run strict = run("stats", "redial", "--data-dir", data.toString());
        assertEquals(1, strict.code());
        assertTrue(strict.err().startsWith("crs4j stats: redial/raw/test_data.jsonl.gz line 2: invalid JSON"), strict.err());
        Run lenient = run("stats", "redial", "--data-dir", data.toString(), "--lenient");
        assertEquals(0, lenient.code(), lenient.err());
        assertTrue(lenient.out().contains("skipped 1 malformed record in raw/test_data.jsonl.gz") || lenient.out().contains("skipped 1 malformed record in redial/raw/test_data.jsonl.gz"), lenient.out());
    }

    @Test
    void fetchFromAMirrorWithChecksums() throws Exception {
        String shared = System.getProperty("crs4j.shared");
        assertNotNull(shared, "set by the parent pom's Surefire argLine");
        Path served = data.resolve("served");
        Files.createDirectories(served.resolve("opendialkg"));
        Path sharedDir = Path.of(shared, "data", "opendialkg");
        Files.copy(sharedDir.resolve("opendialkg_relations.txt"), served.resolve("opendialkg/opendialkg_relations.txt"));
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(sharedDir.resolve("opendialkg_entities.txt.gz")))) {
            Files.copy(in, served.resolve("opendialkg/opendialkg_entities.txt"));
        }
        Fixtures.write(served, "opendialkg/opendialkg.csv",
                "Messages,User Rating,Assistant Rating\n\"[{\"\"type\"\":\"\"chat\"\",\"\"sender\"\":\"\"user\"\",\"\"message\"\":\"\"hi\"\"}]\",1,1\n");
        Fixtures.write(served, "opendialkg/opendialkg_triples.txt", "Pete Seeger\tGenre\tFolk music\n");
        Path target = data.resolve("fetched");
        try (var server = new org.crs4j.data.fetch.FileServerAccess(served)) {
            Run r = run("fetch", "opendialkg", "--data-dir", target.toString(), "--mirror", server.base().toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(2, r.out().lines().filter(l -> l.contains("sha256 verified")).count(), r.out());
            assertEquals(2, r.out().lines().filter(l -> l.contains("no published checksum")).count(), r.out());
            Run stats = run("stats", "opendialkg", "--data-dir", target.toString());
            assertTrue(stats.out().matches("(?s).*KG triples\\s+1\\s.*"), stats.out());
            assertTrue(stats.out().matches("(?s).*dialogues\\s+1\\s+13,802.*"), stats.out());

            Files.writeString(served.resolve("opendialkg/opendialkg_relations.txt"), "tampered\n");
            Files.delete(target.resolve("opendialkg/opendialkg_relations.txt"));
            Run bad = run("fetch", "opendialkg", "--data-dir", target.toString(), "--mirror", server.base().toString());
            assertEquals(1, bad.code());
            assertTrue(bad.err().contains("checksum mismatch for opendialkg/opendialkg_relations.txt"), bad.err());
            assertFalse(Files.exists(target.resolve("opendialkg/opendialkg_relations.txt")));
        }
        Run manual = run("fetch", "tgredial", "--data-dir", target.toString());
        assertEquals(1, manual.code());
        assertTrue(manual.err().contains("Google Drive"), manual.err());
    }
}

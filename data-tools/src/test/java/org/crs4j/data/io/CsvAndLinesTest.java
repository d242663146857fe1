package org.crs4j.data.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.data.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvAndLinesTest {
    @TempDir Path dir;

    @Test
    void quotedFieldsHoldSeparatorsQuotesAndLineBreaks() {
        DataFile f = Fixtures.file(dir, "a.csv", "id,name,n\r\n1,\"Crouching Tiger, Hidden Dragon (2000)\",3\n2,\"He said \"\"hi\"\"\nthen left\",4\n3,plain,5");
        List<List<String>> rows = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        Csv.forEach(f, ReadReport.strict(), (r, line) -> { rows.add(r); lines.add(line); });
        assertEquals(4, rows.size());
        assertEquals(List.of("1", "Crouching Tiger, Hidden Dragon (2000)", "3"), rows.get(1));
        assertEquals("He said \"hi\"\nthen left", rows.get(2).get(1));
        assertEquals(List.of(1, 2, 3, 5), lines, "each record reports the line it starts on");
    }

    @Test
    void unterminatedQuoteNamesFileAndLine() {
        DataFile f = Fixtures.file(dir, "b.csv", "id,name\n1,ok\n2,\"never closed\n");
        var e = assertThrows(MalformedDataException.class, () -> Csv.forEach(f, ReadReport.strict(), (r, l) -> {}));
        assertTrue(e.getMessage().startsWith("b.csv line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("unterminated"), e.getMessage());
    }

    @Test
    void tsvWithoutQuotingKeepsQuotesAsText() {
        DataFile f = Fixtures.file(dir, "c.tsv", "a\tb\n\"x\tsaid \"y\"\n");
        List<List<String>> rows = new ArrayList<>();
        Csv.forEach(f, '\t', false, ReadReport.strict(), (r, l) -> rows.add(r));
        assertEquals(List.of("\"x", "said \"y\""), rows.get(1));
    }

    @Test
    void gzipIsReadTransparentlyAndFoundUnderEitherName() throws Exception {
        Fixtures.write(dir, "d.txt.gz", "one\ntwo\n");
        DataFile f = DataFile.require(dir, "d.txt");
        assertEquals(dir.getFileName() + "/d.txt.gz", f.displayName());
        assertEquals(List.of("one", "two"), TextLines.readAll(f));
    }

    @Test
    void missingFileNamesBothForms() {
        var e = assertThrows(java.io.UncheckedIOException.class, () -> DataFile.require(dir, "nope.json"));
        assertTrue(e.getMessage().contains("nope.json"), e.getMessage());
    }

    @Test
    void truncatedGzipIsAMalformedFileError() throws Exception {
        Path p = Fixtures.write(dir, "e.txt.gz", "line\n".repeat(10_000));
        byte[] all = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(all, all.length / 2));
        var e = assertThrows(MalformedDataException.class, () -> TextLines.readAll(DataFile.require(dir, "e.txt")));
        assertTrue(e.getMessage().startsWith(dir.getFileName() + "/e.txt.gz line"), e.getMessage());
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
    }

    @Test
    void invalidUtf8NamesTheLine() throws Exception {
        Path p = dir.resolve("f.txt");
        Files.write(p, new byte[] {'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        var e = assertThrows(MalformedDataException.class, () -> TextLines.readAll(DataFile.of(p)));
        assertEquals("f.txt line 2: invalid UTF-8", e.getMessage());
    }

    @Test
    void lenientReportCountsPerFileAndKeepsExamples() {
        ReadReport r = ReadReport.lenient();
        r.malformed(new MalformedDataException("x.jsonl", "line 3", "text", "expected a string"));
        r.malformed(new MalformedDataException("x.jsonl", "line 9", "", "invalid JSON"));
        r.malformed(new MalformedDataException("y.csv", "line 2", "movieId", "bad"));
        assertEquals(3, r.skipped());
        assertEquals(2, r.skipped("x.jsonl"));
        assertTrue(r.summary().getFirst().contains("skipped 2 malformed records in x.jsonl"), r.summary().toString());
        assertThrows(MalformedDataException.class, () -> ReadReport.strict().malformed(new MalformedDataException("z", "", "", "p")));
    }

    @Test
    void jsonTopLevelArrayIsWalkedElementByElementWithRecordNumbers() {
        DataFile f = Fixtures.file(dir, "g.json", "[{\"a\":1},\n{\"a\":\"x\"}]");
        var e = assertThrows(MalformedDataException.class, () -> Json.forEachArrayElement(f, ReadReport.strict(),
                (node, at) -> Json.integer(node, "a", at, "")));
        assertTrue(e.getMessage().startsWith("g.json record 2 (line 2), field a: expected an integer"), e.getMessage());
        DataFile notArray = Fixtures.file(dir, "h.json", "{\"a\":1}");
        assertThrows(MalformedDataException.class, () -> Json.forEachArrayElement(notArray, ReadReport.strict(), (n, at) -> {}));
        DataFile broken = Fixtures.file(dir, "i.json", "[{\"a\":1},\n{\"a\":");
        var b = assertThrows(MalformedDataException.class, () -> Json.forEachArrayElement(broken, ReadReport.strict(), (n, at) -> {}));
        assertTrue(b.getMessage().contains("i.json"), b.getMessage());
    }
}

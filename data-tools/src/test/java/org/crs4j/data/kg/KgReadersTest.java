package org.crs4j.data.kg;

import static org.crs4j.data.Fixtures.json;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.crs4j.data.Fixtures;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.MalformedDataException;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.KnowledgeGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KgReadersTest {
    @TempDir Path dir;

    private DataFile f(String name, String content) { return Fixtures.file(dir, name, content); }

    @Test
    void entityIdsMustBeDenseAndUnique() {
        assertEquals(List.of("<a>", "<b>", "<c>"), EntityIdsReader.read(f("e.json.gz", json("{'<b>':1,'<a>':0,'<c>':2}"))));
        var gap = assertThrows(MalformedDataException.class, () -> EntityIdsReader.read(f("g.json", json("{'<a>':0,'<c>':2}"))));
        assertEquals("g.json key \"<c>\" (line 1), field <c>: id 2 is past the 2 keys of the file: ids must be dense, 0..1", gap.getMessage());
        // a huge id is a gap too, found without a list that long (it used to grow one to 2^27 entries first)
        var far = assertThrows(MalformedDataException.class, () -> EntityIdsReader.read(f("h.json", json("{'<a>':0,'<c>':134217728}"))));
        assertTrue(far.getMessage().contains("id 134217728 is past the 2 keys"), far.getMessage());
        var dup = assertThrows(MalformedDataException.class, () -> EntityIdsReader.read(f("d.json", json("{'<a>':0,'<b>':0}"))));
        assertTrue(dup.getMessage().contains("field <b>: id 0 is already used by \"<a>\""), dup.getMessage());
        var neg = assertThrows(MalformedDataException.class, () -> EntityIdsReader.read(f("n.json", json("{'<a>':-1}"))));
        assertTrue(neg.getMessage().contains("expected a non-negative integer id"), neg.getMessage());
        var dupKey = assertThrows(MalformedDataException.class, () -> EntityIdsReader.read(f("k.json", json("{'<a>':0,'<a>':1}"))));
        assertTrue(dupKey.getMessage().contains("Duplicate field"), dupKey.getMessage());
    }

    @Test
    void idSubgraphReadsTriplesAndNamesBadPairs() {
        List<String> ents = List.of("<a>", "<b>", "<c>");
        KnowledgeGraph kg = IdSubgraphReader.read("t", ents, null, f("s.json", json("{'0':[[3,1],[0,2],[9,0]],'2':[[3,0]]}")), ReadReport.strict());
        assertArrayEquals(new int[] {0, 0, 0, 2}, kg.heads());
        assertArrayEquals(new int[] {3, 0, 9, 3}, kg.relationIds());
        assertArrayEquals(new int[] {1, 2, 0, 0}, kg.tails());
        assertEquals(10, kg.relations().size(), "relation names rel0..rel9 when the format has none");
        var tail = assertThrows(MalformedDataException.class, () -> IdSubgraphReader.read("t", ents, null, f("s2.json", json("{'0':[[1,5]]}")), ReadReport.strict()));
        assertTrue(tail.getMessage().startsWith("s2.json key \"0\" (line 1), field 0[0]: tail entity id 5 outside 0..2"), tail.getMessage());
        var pair = assertThrows(MalformedDataException.class, () -> IdSubgraphReader.read("t", ents, null, f("s3.json", json("{'1':[[1]]}")), ReadReport.strict()));
        assertTrue(pair.getMessage().contains("field 1[0]: expected [relationId, tailId]"), pair.getMessage());
        var head = assertThrows(MalformedDataException.class, () -> IdSubgraphReader.read("t", ents, null, f("s4.json", json("{'x':[]}")), ReadReport.strict()));
        assertTrue(head.getMessage().contains("head entity key is not an integer id"), head.getMessage());
        var rel = assertThrows(MalformedDataException.class, () -> IdSubgraphReader.read("t", ents, List.of("r0"), f("s5.json", json("{'0':[[1,1]]}")), ReadReport.strict()));
        assertTrue(rel.getMessage().contains("relation id 1 outside 0..0"), rel.getMessage());
        ReadReport lenient = ReadReport.lenient();
        KnowledgeGraph partial = IdSubgraphReader.read("t", ents, null, f("s6.json", json("{'0':[[0,1]],'1':[[0,1],[0,7]],'2':[[1,0]]}")), lenient);
        assertEquals(2, partial.triples(), "a head with one bad pair is skipped whole");
        assertEquals(1, lenient.skipped());
    }

    @Test
    void tripleFileKeepsKnownVocabularyIdsAndRejectsBadLines() {
        KnowledgeGraph kg = TripleFileReader.read("t", f("t.txt", "Inception\tdirected_by\tChristopher Nolan\nThe Prestige\tdirected_by\tChristopher Nolan\n\n"),
                List.of("Christopher Nolan"), List.of("~directed_by", "directed_by"), ReadReport.strict());
        assertEquals(List.of("Christopher Nolan", "Inception", "The Prestige"), kg.entities());
        assertArrayEquals(new int[] {1, 2}, kg.heads());
        assertArrayEquals(new int[] {1, 1}, kg.relationIds());
        assertArrayEquals(new int[] {0, 0}, kg.tails());
        var cols = assertThrows(MalformedDataException.class, () -> TripleFileReader.read("t", f("t2.txt", "a\tb\n"), List.of(), List.of(), ReadReport.strict()));
        assertEquals("t2.txt line 1: expected 3 tab-separated fields (subject, relation, object), found 2", cols.getMessage());
        var empty = assertThrows(MalformedDataException.class, () -> TripleFileReader.read("t", f("t3.txt", "a\t \tc\n"), List.of(), List.of(), ReadReport.strict()));
        assertEquals("t3.txt line 1, field relation: empty", empty.getMessage());
    }
}

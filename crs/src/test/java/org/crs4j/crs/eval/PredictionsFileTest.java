package org.crs4j.crs.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The predictions format: round trip, and every malformed input named by file, line and field. */
class PredictionsFileTest {
    @TempDir Path dir;

    private static final String GOOD = "{\"dialogue\": \"d1\", \"turn\": 2, \"target\": \"m1\", \"ranked\": [\"m3\", \"m1\"]}";

    private String error(String... lines) throws IOException {
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return assertThrows(PredictionsFile.FormatException.class, () -> PredictionsFile.read(f, Set.of("m1", "m2", "m3")::contains)).getMessage();
    }

    @Test
    void roundTripKeepsEverySampleAndItsRank() throws IOException {
        List<Prediction> p = List.of(new Prediction("d1", 2, "m1", List.of("m3", "m1")), new Prediction("d1", 2, "m2", List.of("m3", "m1")),
                new Prediction("d \"2\"", 0, "m3", List.of()));
        Path f = dir.resolve("out.jsonl");
        PredictionsFile.write(f, p);
        assertEquals(p, PredictionsFile.read(f));
        assertEquals(GOOD.replace(" ", ""), Files.readAllLines(f).getFirst());
        assertEquals(List.of(2, 0, 0), PredictionsFile.read(f).stream().map(Prediction::rank).toList());
    }

    @Test
    void malformedLinesAreNamed() throws IOException {
        String f = dir.resolve("p.jsonl").toString();
        assertEquals(f + ": line 2: not valid JSON: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
                error(GOOD, "x"));
        assertEquals(f + ": line 1: expected a JSON object, got array", error("[1]"));
        assertEquals(f + ": line 1: field turn: missing", error("{\"dialogue\": \"d\", \"target\": \"m1\", \"ranked\": []}"));
        assertEquals(f + ": line 1: field turn: expected a non-negative integer, got \"2\"",
                error("{\"dialogue\": \"d\", \"turn\": \"2\", \"target\": \"m1\", \"ranked\": []}"));
        assertEquals(f + ": line 1: field ranked[1]: expected an item id (a string), got 3",
                error("{\"dialogue\": \"d\", \"turn\": 1, \"target\": \"m1\", \"ranked\": [\"m1\", 3]}"));
        assertEquals(f + ": line 1: field score: unexpected (expected dialogue, turn, target, ranked)",
                error("{\"dialogue\": \"d\", \"turn\": 1, \"target\": \"m1\", \"ranked\": [], \"score\": 1}"));
        assertEquals(f + ": line 2: blank line (one JSON object per line expected)", error(GOOD, "", GOOD.replace("m1\", \"ranked", "m2\", \"ranked")));
    }

    @Test
    void duplicateSamplesRepeatedItemsAndUnknownItemsAreNamed() throws IOException {
        String f = dir.resolve("p.jsonl").toString();
        assertEquals(f + ": line 3: duplicate sample (dialogue d1 turn 2 target m1), first on line 1",
                error(GOOD, GOOD.replace("\"turn\": 2", "\"turn\": 3"), GOOD));
        assertEquals(f + ": line 1: field ranked[1]: unknown item \"m9\"", error(GOOD.replace("\"m1\"]", "\"m9\"]")));
        assertEquals(f + ": line 1: field target: unknown item \"m9\"", error(GOOD.replace("\"target\": \"m1\"", "\"target\": \"m9\"")));
        assertEquals(f + ": line 1: field ranked[1]: item \"m3\" ranked twice", error(GOOD.replace("\"m1\"]", "\"m3\"]")));
    }

    @Test
    void emptyAndMissingFiles() throws IOException {
        Path empty = dir.resolve("empty.jsonl");
        Files.writeString(empty, "\n\n");
        assertEquals(empty + ": no predictions (the file is empty)",
                assertThrows(PredictionsFile.FormatException.class, () -> PredictionsFile.read(empty)).getMessage());
        Path none = dir.resolve("none.jsonl");
        assertEquals(none + ": no such file", assertThrows(PredictionsFile.FormatException.class, () -> PredictionsFile.read(none)).getMessage());
    }

    @Test
    void comparisonPairsCommonSamplesOnly() {
        List<Prediction> a = List.of(new Prediction("d", 1, "x", List.of("x", "y")), new Prediction("d", 2, "y", List.of("x", "y")),
                new Prediction("d", 3, "x", List.of("y", "x")), new Prediction("e", 1, "x", List.of("x")));
        List<Prediction> b = List.of(new Prediction("d", 1, "x", List.of("y", "x")), new Prediction("d", 2, "y", List.of("y", "x")),
                new Prediction("d", 3, "x", List.of("x", "y")), new Prediction("f", 9, "x", List.of("x")));
        var paired = RankingEvaluation.compare(a, b, new int[] {1, 2});
        assertEquals(3, paired.common());
        assertEquals(1, paired.onlyA());
        assertEquals(1, paired.onlyB());
        PairedTTest at1 = paired.rows().getFirst().test();
        assertEquals(1.0 / 3, at1.meanA(), 1e-15);   // A hits at 1 on sample 1 only
        assertEquals(2.0 / 3, at1.meanB(), 1e-15);   // B on samples 2 and 3
        assertEquals(PairedTTest.of(new double[] {1, 0, 0}, new double[] {0, 1, 1}), at1);
        assertEquals("Recall@2", paired.rows().get(1).metric());
        assertEquals(0, paired.rows().get(1).test().t());   // everything within 2 on both sides
    }
}

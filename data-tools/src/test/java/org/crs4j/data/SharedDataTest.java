package org.crs4j.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.crs4j.data.inspired.InspiredLoader;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.model.Split;
import org.crs4j.data.movielens.MovieLensReader;
import org.crs4j.data.prepare.PrepareOptions;
import org.crs4j.data.prepare.PreparedData;
import org.crs4j.data.prepare.Progress;
import org.crs4j.data.stats.DatasetStats;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real datasets in ../shared/data: the counts {@code crs4j data stats} prints, and ReDial's preparation budget.
 * Run with {@code ./mvnw -pl data-tools -Pslow verify}.
 */
@Tag("slow")
class SharedDataTest {
    static Path data;

    @BeforeAll
    static void locate() {
        String shared = System.getProperty("crs4j.shared");
        assertNotNull(shared, "crs4j.shared is set by the parent pom's Surefire argLine");
        data = Path.of(shared, "data");
        assertTrue(Files.isDirectory(data.resolve("redial")), "shared data expected at " + data);
    }

    static DatasetStats stats(String name) {
        return DatasetStats.of(Datasets.get(name).load(data, DatasetLoader.Options.strict()));
    }

    static void assertSplits(DatasetStats s, int train, int valid, int test, int uTrain, int uValid, int uTest) {
        assertEquals(Map.of(Split.TRAIN, train, Split.VALID, valid, Split.TEST, test), s.dialogues());
        assertEquals(Map.of(Split.TRAIN, uTrain, Split.VALID, uValid, Split.TEST, uTest), s.utterances());
    }

    @Test
    void redial() {
        DatasetStats s = stats("redial");
        assertSplits(s, 2_557, 901, 1_342, 41_878, 16_397, 23_952);
        assertEquals(4_800, s.totalDialogues(), "3,458 train-side conversations + the 1,342 test conversations (SOURCE.md)");
        assertEquals(6_924, s.items());
        assertEquals(6_112, s.itemsWithEntity(), "6,924 movies, 812 without a DBpedia link in id2entity");
        assertEquals(64_362, s.kgEntities());
        assertEquals(214, s.kgRelations());
        assertEquals(165_696, s.kgTriples());
        assertEquals(35, s.graphRelations(), "34 relations with > 1000 directed edges, + self_loop");
        assertEquals(358_086, s.graphEdges());

        var unicrs = DatasetStats.of(Datasets.get("redial").load(data, new DatasetLoader.Options(ReadReport.strict(), "unicrs")));
        assertEquals(31_161, unicrs.kgEntities());
        assertEquals(25, unicrs.kgRelations());
        assertEquals(105_364, unicrs.kgTriples());
    }

    @Test
    void inspired() {
        DatasetStats s = stats("inspired");
        assertSplits(s, 801, 99, 99, 16_982, 2_053, 2_089);
        assertEquals(1_472, s.items());
        assertEquals(17_179, s.kgEntities());
        assertEquals(13, s.kgRelations());
        assertEquals(39_424, s.kgTriples());
        var original = InspiredLoader.readOriginalPartial(data, ReadReport.strict());
        assertEquals(99, original.get("dev").size());
        assertEquals(3_538, original.get("dev").stream().mapToInt(d -> d.turns().size()).sum());
        assertEquals(3_438, original.get("test").stream().mapToInt(d -> d.turns().size()).sum());
    }

    @Test
    void openDialKgTgRedialGoRecDialMovieLens() {
        DatasetStats o = stats("opendialkg");
        assertEquals(0, o.totalDialogues());
        assertEquals(100_812, o.kgEntities(), "100,813 lines, one of them blank");
        assertEquals(1_358, o.kgRelations());
        assertEquals(0, o.kgTriples());

        DatasetStats t = stats("tgredial");
        assertSplits(t, 0, 757, 748, 0, 9_764, 9_748);
        assertEquals(33_834, t.items());
        assertEquals(33_834 + 2_571, t.kgEntities(), "movies + topic vocabulary");

        assertFalse(Datasets.get("gorecdial").present(data));

        var ml = MovieLensReader.read(data.resolve("movielens/ml-latest-small"), ReadReport.strict());
        assertEquals(9_742, ml.size());
        assertEquals(100_836, ml.stream().mapToInt(i -> Integer.parseInt(i.attributes().get("ratings"))).sum());
    }

    @Test
    void statsCommandPrintsTheseCounts() {
        var out = new java.io.StringWriter();
        var cli = new picocli.CommandLine(new org.crs4j.data.cli.DataCommand());
        cli.setOut(new java.io.PrintWriter(out, true));
        assertEquals(0, cli.execute("stats", "redial", "--data-dir", data.toString()));
        String text = out.toString();
        assertTrue(text.matches("(?s).*dialogues\\s+4,800\\s+10,006\\s+48\\.0%.*"), text);
        assertTrue(text.matches("(?s).*utterances\\s+82,227\\s+182,150\\s+45\\.1%.*"), text);
        assertTrue(text.matches("(?s).*KG triples\\s+165,696.*"), text);
        assertTrue(text.matches("(?s).*prepared graph edges\\s+358,086.*"), text);
    }

    @Test
    void redialPreparesWithinBudgetAndReloadsFromCache(@TempDir Path cache) {
        long t0 = System.nanoTime();
        var first = PreparedData.obtain(data, "redial", DatasetLoader.Options.strict(), PrepareOptions.defaults(), cache, false, Progress.NONE);
        double prepare = (System.nanoTime() - t0) / 1e9;
        assertFalse(first.fromCache());
        t0 = System.nanoTime();
        var second = PreparedData.obtain(data, "redial", DatasetLoader.Options.strict(), PrepareOptions.defaults(), cache, false, Progress.NONE);
        double reload = (System.nanoTime() - t0) / 1e9;
        assertTrue(second.fromCache());
        System.out.printf("ReDial prepare %.1f s, cached reload %.2f s%n", prepare, reload);
        assertTrue(prepare < 60, "prepare took " + prepare + " s");
        assertTrue(reload < 5, "reload took " + reload + " s");
        var test = second.dataset().split(Split.TEST);
        assertEquals(1_342, test.dialogues().size());
        assertTrue(test.recommendations().size() > 3_000, "recommendation samples: " + test.recommendations().size());
        assertEquals(358_086, second.dataset().graph().edgeCount());
        assertEquals(6_112, second.dataset().graph().itemEntities().length);
    }
}

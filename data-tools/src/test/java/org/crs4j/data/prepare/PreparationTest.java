package org.crs4j.data.prepare;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.crs4j.data.FixtureData;
import org.crs4j.data.kg.GraphOptions;
import org.crs4j.data.model.Dataset;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparationTest {
    @TempDir Path data;
    @TempDir Path cache;

    static final PrepareOptions KEEP_ALL = new PrepareOptions(GraphOptions.keepAll(), null);

    @Test
    void redialLoaderSplitsAsDocumented() {
        Dataset d = Datasets.get("redial").load(FixtureData.redial(data), DatasetLoader.Options.strict());
        assertEquals(List.of("100", "102"), d.split(Split.TRAIN).stream().map(x -> x.id()).toList(), "union minus KGSF valid, plus CFCRS-only");
        assertEquals(List.of("101"), d.split(Split.VALID).stream().map(x -> x.id()).toList());
        assertEquals(List.of("20001"), d.split(Split.TEST).stream().map(x -> x.id()).toList());
        assertEquals(FixtureData.HEAT, d.items().find("1").orElseThrow().entity());
        assertNull(d.items().find("3").orElseThrow().entity());
        assertEquals("6", d.items().find("1").orElseThrow().attributes().get("movielensId"), "MovieLens supplement attached");
        assertTrue(d.notes().stream().anyMatch(n -> n.contains("KGSF's valid split")), d.notes().toString());
    }

    @Test
    void recommendationAndResponseSamplesFollowCrsLab() {
        Dataset d = Datasets.get("redial").load(FixtureData.redial(data), DatasetLoader.Options.strict());
        PreparedDataset p = Preparer.prepare(d, KEEP_ALL, Progress.NONE);
        PreparedSplit test = p.split(Split.TEST);
        var turns = test.dialogues().getFirst().turns();
        assertEquals(3, turns.size(), "the two recommender messages are merged");
        assertEquals(List.of(Role.SEEKER, Role.RECOMMENDER, Role.SEEKER), turns.stream().map(PreparedTurn::role).toList());
        assertEquals("Then try @1 with Al Pacino or @3", turns.get(1).text());
        // seeker: "horror" (linked by its genre alias) comes before @2 (Alien) in the text
        assertArrayEquals(new int[] {4, 1}, turns.get(0).entities());
        assertArrayEquals(new int[] {0, 2}, turns.get(1).entities(), "Heat (@1) then Al Pacino; @3 has no entity");
        assertArrayEquals(new int[] {0, 2}, turns.get(1).items(), "catalogue indices of @1 and @3");

        assertEquals(1, test.recommendations().size(), "@3 is not in the graph, so only Heat is a target");
        RecommendationSample r = test.recommendations().getFirst();
        assertEquals(1, r.turn());
        assertArrayEquals(new int[] {4, 1}, r.contextEntities());
        assertEquals(0, r.item());
        assertEquals(0, r.itemEntity());
        assertEquals(List.of(new ResponseSample(0, 1), new ResponseSample(0, 2)), test.responses());
        assertEquals(2, test.context(test.responses().get(1)).size());
        assertEquals(1, p.linking().targetsWithoutEntity());

        // graph: entity 0..4, the file's self-triples dropped, self-loops for all, items flagged
        var g = p.graph();
        assertEquals(5, g.entityCount());
        assertArrayEquals(new int[] {0, 1}, g.itemEntities());
        assertEquals(List.of("rel0", "rel1", "rel2", "self_loop"), g.relationNames());
        assertEquals(3 * 2 + 5, g.edgeCount());
        assertEquals(1, g.inDegree(0, 2), "Heat -> Al Pacino under rel0");
    }

    @Test
    void kbrdThresholdIsTheDefaultForRedial() {
        Dataset d = Datasets.get("redial").load(FixtureData.redial(data), DatasetLoader.Options.strict());
        PreparedDataset p = Preparer.prepare(d, PrepareOptions.defaults(), Progress.NONE);
        assertEquals(List.of("self_loop"), p.graph().relationNames(), "no relation in the fixture has > 1000 edges");
        assertEquals(1000, p.graph().provenance().minRelationCount());
    }

    @Test
    void annotatedDatasetsUseTheirAnnotations() {
        Dataset d = Datasets.get("gorecdial").load(FixtureData.gorecdial(data), DatasetLoader.Options.strict());
        PreparedDataset p = Preparer.prepare(d, PrepareOptions.defaults(), Progress.NONE);
        var turns = p.split(Split.TRAIN).dialogues().getFirst().turns();
        assertArrayEquals(new int[] {3}, turns.get(0).entities());
        assertArrayEquals(new int[] {2, 0}, turns.get(1).entities(), "CRSLab order: entities, then movies");
        var rec = p.split(Split.TRAIN).recommendations();
        assertEquals(1, rec.size());
        assertArrayEquals(new int[] {3}, rec.getFirst().contextEntities());
        assertEquals(List.of("starring", "genre", "self_loop"), p.graph().relationNames());
    }

    @Test
    void cacheIsReusedAndRebuiltWhenInputsOrOptionsChange() throws Exception {
        FixtureData.redial(data);
        var load = DatasetLoader.Options.strict();
        var first = PreparedData.obtain(data, "redial", load, KEEP_ALL, cache, false, Progress.NONE);
        assertFalse(first.fromCache());
        var second = PreparedData.obtain(data, "redial", load, KEEP_ALL, cache, false, Progress.NONE);
        assertTrue(second.fromCache());
        assertSame(first.cacheFile(), first.cacheFile());
        assertPreparedEquals(first.dataset(), second.dataset());
        try (var files = Files.list(cache)) {
            assertEquals(List.of(first.cacheFile()), files.toList(), "only the cache file, no temporary left behind");
        }

        var other = PreparedData.obtain(data, "redial", load, PrepareOptions.defaults(), cache, false, Progress.NONE);
        assertFalse(other.fromCache(), "different options, different key");

        Path movies = data.resolve("redial/raw/movies_with_mentions.csv");
        Files.setLastModifiedTime(movies, FileTime.fromMillis(Files.getLastModifiedTime(movies).toMillis() + 5000));
        assertFalse(PreparedData.obtain(data, "redial", load, KEEP_ALL, cache, false, Progress.NONE).fromCache(), "an input changed");
        assertTrue(PreparedData.obtain(data, "redial", load, KEEP_ALL, cache, false, Progress.NONE).fromCache());

        // same size, same mtime, different bytes: small files are hashed, so this is caught too
        FileTime t = Files.getLastModifiedTime(movies);
        String text = Files.readString(movies);
        Files.writeString(movies, text.replace("Heat (1995),10", "Heat (1995),11"));
        Files.setLastModifiedTime(movies, t);
        assertFalse(PreparedData.obtain(data, "redial", load, KEEP_ALL, cache, false, Progress.NONE).fromCache());

        // a corrupt cache is ignored and rewritten
        byte[] bytes = Files.readAllBytes(first.cacheFile());
        Files.write(first.cacheFile(), java.util.Arrays.copyOf(bytes, bytes.length - 20));
        assertFalse(PreparedData.obtain(data, "redial", load, KEEP_ALL, cache, false, Progress.NONE).fromCache());
        assertTrue(PreparedData.obtain(data, "redial", load, KEEP_ALL, cache, false, Progress.NONE).fromCache());
        assertFalse(PreparedData.obtain(data, "redial", load, KEEP_ALL, cache, true, Progress.NONE).fromCache(), "--rebuild");
    }

    static void assertPreparedEquals(PreparedDataset a, PreparedDataset b) {
        assertEquals(a.name(), b.name());
        assertEquals(a.notes(), b.notes());
        assertEquals(a.items().items(), b.items().items());
        assertArrayEquals(a.itemEntity(), b.itemEntity());
        assertEquals(a.graph().entityKeys(), b.graph().entityKeys());
        assertEquals(a.graph().relationNames(), b.graph().relationNames());
        assertArrayEquals(a.graph().sources(), b.graph().sources());
        assertArrayEquals(a.graph().destinations(), b.graph().destinations());
        assertArrayEquals(a.graph().relationOffsets(), b.graph().relationOffsets());
        assertArrayEquals(a.graph().rowOffsets(), b.graph().rowOffsets());
        assertArrayEquals(a.graph().rowDestinations(), b.graph().rowDestinations());
        assertArrayEquals(a.graph().rowStarts(), b.graph().rowStarts());
        assertArrayEquals(a.graph().itemEntities(), b.graph().itemEntities());
        assertEquals(a.graph().provenance(), b.graph().provenance());
        assertEquals(a.linking(), b.linking());
        for (Split s : Split.values()) {
            PreparedSplit x = a.split(s), y = b.split(s);
            assertEquals(x.dialogues().size(), y.dialogues().size());
            for (int i = 0; i < x.dialogues().size(); i++) {
                assertEquals(x.dialogues().get(i).id(), y.dialogues().get(i).id());
                var tx = x.dialogues().get(i).turns();
                var ty = y.dialogues().get(i).turns();
                assertEquals(tx.size(), ty.size());
                for (int t = 0; t < tx.size(); t++) {
                    assertEquals(tx.get(t).role(), ty.get(t).role());
                    assertEquals(tx.get(t).text(), ty.get(t).text());
                    assertArrayEquals(tx.get(t).items(), ty.get(t).items());
                    assertArrayEquals(tx.get(t).entities(), ty.get(t).entities());
                }
            }
            assertEquals(x.responses(), y.responses());
            assertEquals(x.recommendations().size(), y.recommendations().size());
            for (int i = 0; i < x.recommendations().size(); i++) {
                var rx = x.recommendations().get(i);
                var ry = y.recommendations().get(i);
                assertEquals(List.of(rx.dialogue(), rx.turn(), rx.item(), rx.itemEntity()), List.of(ry.dialogue(), ry.turn(), ry.item(), ry.itemEntity()));
                assertArrayEquals(rx.contextEntities(), ry.contextEntities());
            }
        }
    }
}

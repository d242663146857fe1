package org.crs4j.data.itemdb;

import static org.crs4j.data.Fixtures.json;
import static org.crs4j.data.Fixtures.lines;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.crs4j.data.Fixtures;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.prepare.PrepareOptions;
import org.crs4j.data.prepare.PreparedData;
import org.crs4j.data.prepare.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemDatabaseTest {
    @TempDir Path data;
    @TempDir Path cache;

    /** INSPIRED in UniCRS form: two films sharing a star, one with a DBpedia genre, and a MovieLens match for one. */
    private PreparedData.Result prepared() {
        String t1 = json("{'text':'I liked Pirates','role':'SEEKER','movie':['Pirates (2003)'],'entity_link':['<JD>'],'entity_name':['x'],'movie_link':['<P>'],'movie_name':['Pirates']}");
        String t2 = json("{'text':'Try Ed Wood','role':'RECOMMENDER','movie':['Ed Wood (1994)'],'entity_link':[],'entity_name':[],'movie_link':['<E>'],'movie_name':['Ed Wood']}");
        for (String s : List.of("train", "valid", "test")) Fixtures.write(data, "inspired/unicrs/" + s + "_data_dbpedia.jsonl.gz", lines("[" + t1 + "," + t2 + "]"));
        Fixtures.write(data, "inspired/unicrs/entity2id.json.gz", json("{'<P>':0,'<E>':1,'<http://dbpedia.org/resource/Johnny_Depp>':2,"
                + "'<http://dbpedia.org/resource/Tim_Burton>':3,'<http://dbpedia.org/resource/Comedy-drama_film>':4,'<JD>':5}"));
        Fixtures.write(data, "inspired/unicrs/relation2id.json", json("{'<http://dbpedia.org/ontology/starring>':0,"
                + "'<http://dbpedia.org/ontology/director>':1,'<http://dbpedia.org/ontology/genre>':2,'self_loop':3}"));
        Fixtures.write(data, "inspired/unicrs/dbpedia_subkg.json.gz", json("{'0':[[0,2],[3,0]],'1':[[0,2],[1,3],[2,4]]}"));
        Fixtures.write(data, "movielens/ml-latest-small/movies.csv", lines("movieId,title,genres", "7,Ed Wood (1994),Comedy|Drama|Sci-Fi"));
        Fixtures.write(data, "movielens/ml-latest-small/ratings.csv", lines("userId,movieId,rating,timestamp", "1,7,4.0,1", "2,7,3.0,1"));
        return PreparedData.obtain(data, "inspired", DatasetLoader.Options.strict(), PrepareOptions.defaults(), cache, false, Progress.NONE);
    }

    @Test
    void factsComeFromTheNamedGraphAndMovieLensAndAreQueriedByParameters() {
        var p = prepared();
        var r = ItemDatabases.obtain(data, p, false);
        assertTrue(r.built());
        int pirates = p.dataset().items().indexOf("<P>"), edWood = p.dataset().items().indexOf("<E>");
        try (ItemDatabase db = ItemDatabase.open(r.file())) {
            var ed = db.item(edWood).orElseThrow();
            assertEquals("Ed Wood", ed.name());
            assertEquals(1994, ed.year());
            assertEquals(2, ed.ratings());
            assertEquals(3.5, ed.meanRating(), 1e-12);
            assertTrue(Double.isNaN(db.item(pirates).orElseThrow().meanRating()), "no MovieLens match");
            var facts = db.facts(edWood).stream().map(f -> f.relation() + "=" + f.value() + "/" + f.source()).toList();
            assertEquals(List.of("director=Tim Burton/dbpedia", "genre=comedy/movielens", "genre=comedy-drama/dbpedia",
                    "genre=drama/movielens", "genre=science fiction/movielens", "starring=Johnny Depp/dbpedia"), facts);
            assertEquals(List.of(edWood), db.findByName("ed wood!", 0).stream().map(ItemRecord::index).toList());
            assertEquals(List.of(), db.findByName("Ed Wood", 1995), "year filter");
            assertEquals(List.of(), db.findByName("x' OR '1'='1", 0), "a quote is data, not SQL");
            assertArrayEquals(new int[] {edWood}, db.itemsWith("genre", Genres.normalize("Sci-Fi")));
            assertTrue(db.hasValue("genre", "drama"));
            assertFalse(db.hasValue("genre", "western"));
            var shared = db.sharedFacts(edWood, pirates);
            assertEquals(1, shared.size());
            assertEquals("Johnny Depp", shared.getFirst().value());
            assertEquals(List.of("Johnny Depp"), db.factsNaming(edWood, Set.of("<http://dbpedia.org/resource/Johnny_Depp>")).stream().map(ItemFact::value).toList());
        }
        var again = ItemDatabases.obtain(data, p, false);
        assertFalse(again.built(), "cached while the prepared data's key is the same");
        assertEquals(r.facts(), again.facts());
    }

    @Test
    void aCorruptOrForeignFileIsRebuiltAndAMissingOneIsOneLine() throws Exception {
        var p = prepared();
        Path file = ItemDatabases.fileFor(p.cacheFile());
        Files.writeString(file, "not a database");
        var r = ItemDatabases.obtain(data, p, false);
        assertTrue(r.built());
        try (ItemDatabase db = ItemDatabase.open(file)) {
            assertEquals("inspired", db.meta().get("dataset"));
        }
        try (var s = Files.list(cache)) {
            assertEquals(Set.of("inspired-default.prepared", "inspired-default.items.mv.db"),
                    s.map(x -> x.getFileName().toString()).collect(java.util.stream.Collectors.toSet()), "no temporary files left");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> ItemDatabase.open(cache.resolve("nothing.mv.db")));
        assertTrue(e.getMessage().contains("nothing.mv.db: no item database (run: crs4j data prepare"), e.getMessage());
    }

    @Test
    void genresMeetOnOneSpelling() {
        assertEquals("science fiction", Genres.normalize("Sci-Fi"));
        assertEquals("science fiction", Genres.normalize("<http://dbpedia.org/resource/Science_fiction_film>"));
        assertEquals("horror", Genres.normalize("Horror film"));
        assertEquals("horror", Genres.normalize("scary"));
        assertEquals("film noir", Genres.normalize("Film-Noir"));
        assertEquals("comedy", Genres.normalize("Comedy"));
    }
}

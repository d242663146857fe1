package org.crs4j.data.fuzz;

import static org.crs4j.data.Fixtures.json;
import static org.crs4j.data.Fixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.crs4j.data.FixtureData;
import org.crs4j.data.Fixtures;
import org.crs4j.data.io.MalformedDataException;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.DatasetLoader;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.model.MissingDataException;
import org.crs4j.data.prepare.PrepareOptions;
import org.crs4j.data.prepare.Preparer;
import org.crs4j.data.prepare.Progress;
import org.crs4j.io.testing.Fuzz;
import org.crs4j.io.testing.Mutators;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset family: JSON Lines, JSON arrays and objects, CSV and TSV, plain and gzip, as ReDial, INSPIRED,
 * TG-ReDial and GoRecDial lay them out. One file of a generated miniature dataset is mutated (its records, its lines,
 * its bytes or its gzip stream); the dataset is loaded strictly and leniently and, when accepted, prepared (linking,
 * graph, samples). Each must work or stop with one line naming the file.
 */
class DatasetFuzzTest {
    static final Map<String, Map<String, byte[]>> SEEDS = new LinkedHashMap<>();

    @TempDir static Path seeds;
    @TempDir Path work;

    @BeforeAll
    static void writeSeeds() throws IOException {
        SEEDS.put("redial", Fuzz.folder(FixtureData.redial(seeds.resolve("redial-data"))));
        SEEDS.put("gorecdial", Fuzz.folder(FixtureData.gorecdial(seeds.resolve("gorecdial-data"))));
        Path tg = seeds.resolve("tg");
        Fixtures.write(tg, "tgredial/movies_with_mentions.utf8.csv.gz", lines("global_id,movieName,db_id,db_id",
                "0,厉鬼将映(2008),3529375,3529375", "1,考死：血之期中考试(2008),3150346,3150346"));
        Fixtures.write(tg, "tgredial/topic_to_id_2k5.json", json("{'恐怖':0,'逻辑':1,'哲学':2}"));
        String conv = json("[{'conv_id':1,'user_id':'5','messages':[{'local_id':1,'role':'Seeker','content':'我想看恐怖的逻辑片。'},"
                + "{'local_id':2,'role':'Recommender','content':'推荐《厉鬼将映》'}],"
                + "'goal_path':{'1':['Seeker','谈论','哲学']},'mentionMovies':{'2':['3529375','厉鬼将映(2008)']}}]");
        Fixtures.write(tg, "tgredial/valid_data.json.gz", conv);
        Fixtures.write(tg, "tgredial/test_data.json", conv);
        SEEDS.put("tgredial", Fuzz.folder(tg));
        Path in = seeds.resolve("inspired");
        String dialog = "[" + json("{'text':'Hi','role':'RECOMMENDER','movie':[],'entity_link':[],'entity_name':[],'movie_link':[],'movie_name':[]}")
                + "," + json("{'text':'I liked Joker','role':'SEEKER','movie':['Joker (2019)'],'entity_link':['<A>'],'entity_name':['a'],'movie_link':['<J>'],'movie_name':['Joker']}")
                + "," + json("{'text':'Try Joker','role':'RECOMMENDER','movie':['Joker (2019)'],'entity_link':['<A>'],'entity_name':['x'],'movie_link':['<J>'],'movie_name':['Joker']}") + "]";
        for (String s : List.of("train", "valid")) Fixtures.write(in, "inspired/unicrs/" + s + "_data_dbpedia.jsonl.gz", lines(dialog));
        Fixtures.write(in, "inspired/unicrs/test_data_dbpedia.jsonl", lines(dialog, dialog));
        Fixtures.write(in, "inspired/unicrs/entity2id.json.gz", json("{'<J>':0,'<A>':1}"));
        Fixtures.write(in, "inspired/unicrs/relation2id.json", json("{'<starring>':0,'self_loop':1}"));
        Fixtures.write(in, "inspired/unicrs/dbpedia_subkg.json.gz", json("{'0':[[1,0],[0,1]]}"));
        SEEDS.put("inspired", Fuzz.folder(in));
    }

    static boolean expected(Throwable t) {
        return t instanceof MalformedDataException || t instanceof MissingDataException || t instanceof UncheckedIOException
                || t instanceof IOException;
    }

    static void read(Path folder) {
        String name;
        try (var dirs = Files.list(folder)) {
            name = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.equals("movielens"))
                    .findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DatasetLoader loader = Datasets.get(name);
        for (boolean lenient : new boolean[] {false, true}) {
            var d = loader.load(folder, new DatasetLoader.Options(new ReadReport(lenient), null));
            Preparer.prepare(d, PrepareOptions.defaults(), Progress.NONE);
        }
    }

    static Map<String, byte[]> variant(SplittableRandom rng) {
        List<String> names = new ArrayList<>(SEEDS.keySet());
        Map<String, byte[]> v = new LinkedHashMap<>(SEEDS.get(names.get(rng.nextInt(names.size()))));
        List<String> files = new ArrayList<>(v.keySet());
        String file = files.get(rng.nextInt(files.size()));
        byte[] bytes = v.get(file);
        boolean gz = file.endsWith(".gz");
        if (gz && rng.nextInt(4) == 0) {
            v.put(file, Mutators.gzipped(gunzip(bytes), rng));
            return v;
        }
        byte[] plain = gz ? gunzip(bytes) : bytes;
        String kind = gz ? file.substring(0, file.length() - 3) : file;
        byte[] mutated;
        if (kind.endsWith(".jsonl") || kind.endsWith(".csv") || kind.endsWith(".tsv") || kind.endsWith(".txt")) {
            mutated = Mutators.lines(plain, rng);
        } else {
            mutated = rng.nextInt(3) == 0 ? Mutators.json(plain, rng) : Mutators.jsonField(plain, rng);
        }
        v.put(file, gz ? Mutators.gzip(mutated) : mutated);
        return v;
    }

    static byte[] gunzip(byte[] gz) {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void seedsLoad() throws IOException {
        for (var e : SEEDS.entrySet()) {
            Path dir = work.resolve("seed-" + e.getKey());
            Fuzz.write(dir, e.getValue());
            read(dir);
        }
    }

    @Test
    void mutatedDatasetsLoadOrStopNamingTheFile() throws IOException {
        Fuzz.Summary s = new Fuzz("dataset", DatasetFuzzTest::read).expect(DatasetFuzzTest::expected)
                .run(20261210L, 1200, Duration.ofSeconds(60), work, DatasetFuzzTest::variant);
        System.out.println(s + " " + s.reasons());
        assertEquals(List.of(), s.failures());
        s.requireBothOutcomes(100);
    }

    @Test
    void corpusOfEarlierFindings() throws Exception {
        var url = DatasetFuzzTest.class.getResource("/org/crs4j/data/fuzz-corpus/dataset");
        if (url == null) throw new AssertionError("no corpus for the dataset family");
        assertEquals(List.of(), new Fuzz("dataset", DatasetFuzzTest::read).expect(DatasetFuzzTest::expected)
                .replay(Path.of(url.toURI()), work));
    }
}

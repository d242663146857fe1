package org.crs4j.crs.rec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.crs4j.crs.eval.Prediction;
import org.crs4j.crs.eval.RankingEvaluation;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.PreparedSplit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Training on a generated dataset with a planted preference: every variant learns it to Recall@1 = 1; the same seed
 * gives the same weights; a run killed mid-epoch and resumed ends exactly where an uninterrupted one does; a model
 * directory is refused, with the file and field named, when it does not fit the data.
 */
class CausalRecTrainingTest {
    @TempDir static Path shared;
    @TempDir Path dir;
    static PreparedDataset data;

    @BeforeAll
    static void prepare() {
        TinyDataset.write(shared.resolve("data"), 160, 24, 24);
        data = TinyDataset.prepared(shared.resolve("data"), shared.resolve("cache"));
    }

    private static final RecData SPEC = new RecData("inspired", null, null);

    private static double recallAt1(Recommender r) {
        List<Prediction> p = RecEvaluation.predict(r, data, Split.TEST);
        return Arrays.stream(RankingEvaluation.ranks(p)).filter(x -> x == 1).count() / (double) p.size();
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "no-causal", "kbrd"})
    void learnsThePlantedPreferenceToRecallAtOne(String variant) throws IOException {
        Path out = dir.resolve(variant);
        RecTrainer.Result r = RecTrainer.train(TinyDataset.settings(variant, 12), SPEC, data, out, TrainingListener.NONE);
        CausalRecommender rec = CausalRecommender.load(out, data);
        assertEquals(1.0, recallAt1(rec), variant + " after " + r.epochs() + " epochs:\n" + Files.readString(out.resolve(RecModelDirectory.HISTORY)));
        assertEquals(1.0, r.bestValid()[0], 1e-12);
        // the popularity baseline cannot: 8 genres' films are about equally frequent
        assertTrue(recallAt1(PopularityRecommender.fromTrainingTargets(data)) < 0.4);
        assertEquals(CausalRecommender.nameOf(variant), rec.name());
        assertTrue(Files.readString(out.resolve(RecModelDirectory.HISTORY)).startsWith(TrainingListener.EpochRecord.CSV_HEADER));
    }

    @Test
    void batchedEvaluationGivesWhatRecommendGivesOneContextAtATime() throws IOException {
        Path out = dir.resolve("full");
        RecTrainer.train(TinyDataset.settings("full", 3), SPEC, data, out, TrainingListener.NONE);
        CausalRecommender rec = CausalRecommender.load(out, data);
        Recommender oneByOne = new Recommender() {   // the same model, seen only through the interface
            @Override public String name() { return rec.name(); }
            @Override public float[] scores(int[] context) { return rec.scores(context); }
        };
        assertEquals(RecEvaluation.predict(oneByOne, data, Split.TEST), RecEvaluation.predict(rec, data, Split.TEST));
    }

    @Test
    void interventionMovesTheTargetDown() throws IOException {
        // one-entity contexts: masking the only entity leaves nothing, so the target loses its first place
        Path out = dir.resolve("full");
        RecTrainer.train(TinyDataset.settings("full", 12), SPEC, data, out, TrainingListener.NONE);
        CausalRecommender rec = CausalRecommender.load(out, data);
        int genre = 0, target = data.graph().entityKeys().indexOf(TinyDataset.film(genre, 0));
        int[] ctx = {data.graph().entityKeys().indexOf(TinyDataset.genre(genre))};
        assertEquals(target, rec.recommend(ctx, 1)[0]);
        float[] bar = rec.intervenedScores(ctx);
        for (int e : rec.graph().items()) assertEquals(0f, bar[e], "an empty pooled vector scores every item 0");
    }

    @Test
    void emptyContextGetsThePopularityOfTrainingTargets() throws IOException {
        Path out = dir.resolve("full");
        RecTrainer.train(TinyDataset.settings("full", 2), SPEC, data, out, TrainingListener.NONE);
        float[] expected = PopularityRecommender.fromTrainingTargets(data).scores(new int[0]);
        assertArrayEquals(expected, CausalRecommender.load(out, data).scores(new int[0]));
        var bad = assertThrows(IllegalArgumentException.class, () -> CausalRecommender.load(out, data).scores(new int[] {99_999}));
        assertTrue(bad.getMessage().startsWith("context entity 99999 is not in the graph"), bad.getMessage());
    }

    private static Map<String, String> filesWithoutTimes(Path out) throws IOException {
        // the history's last two columns are wall-clock seconds
        String history = Files.readAllLines(out.resolve(RecModelDirectory.HISTORY)).stream()
                .map(l -> l.substring(0, l.lastIndexOf(',', l.lastIndexOf(',') - 1))).reduce("", (a, b) -> a + b + "\n");
        return Map.of("history", history, "model", Arrays.toString(Files.readAllBytes(out.resolve(RecModelDirectory.MODEL))),
                "config", Files.readString(out.resolve(RecModelDirectory.CONFIG)));
    }

    @Test
    void sameSeedGivesTheSameRunAndAnotherSeedAnother() throws IOException {
        RecSettings s = TinyDataset.settings("full", 3);
        RecTrainer.train(s, SPEC, data, dir.resolve("a"), TrainingListener.NONE);
        RecTrainer.train(s, SPEC, data, dir.resolve("b"), TrainingListener.NONE);
        RecTrainer.train(s.withSeed(2), SPEC, data, dir.resolve("c"), TrainingListener.NONE);
        assertEquals(filesWithoutTimes(dir.resolve("a")), filesWithoutTimes(dir.resolve("b")));
        // the last epoch's weights, from the checkpoint, score like the same model (here epoch 3 of 3)
        var last = RecModelDirectory.open(dir.resolve("a")).loadLastEpoch(data);
        assertEquals(3, RecModelDirectory.open(dir.resolve("a")).config().training().get("epochs").asInt());
        assertEquals(CausalRecommender.nameOf("full"), last.name());
        assertTrue(!filesWithoutTimes(dir.resolve("a")).get("model").equals(filesWithoutTimes(dir.resolve("c")).get("model")));
    }

    /** A listener that kills the run (an exception out of the loop) at one update of one epoch. */
    private record KillAt(int epoch, int update) implements TrainingListener {
        @Override
        public void updated(int e, int u, int perEpoch, double loss) {
            if (e == epoch && u == update) throw new IllegalStateException("killed");
        }
    }

    @Test
    void resumingARunKilledMidEpochEndsExactlyAsTheUninterruptedRun() throws IOException {
        RecSettings s = TinyDataset.settings("full", 4);
        RecTrainer.train(s, SPEC, data, dir.resolve("whole"), TrainingListener.NONE);
        Path killed = dir.resolve("killed");
        assertThrows(IllegalStateException.class, () -> RecTrainer.train(s, SPEC, data, killed, new KillAt(3, 4)));
        assertTrue(Files.exists(killed.resolve(RecModelDirectory.CHECKPOINT)), "epochs 1-2 left a checkpoint");
        RecTrainer.Result r = RecTrainer.resume(killed, null, data, TrainingListener.NONE);
        assertEquals(4, r.epochs());
        assertEquals(filesWithoutTimes(dir.resolve("whole")), filesWithoutTimes(killed));
        // a finished run resumed again does nothing more
        assertEquals(4, RecTrainer.resume(killed, s, data, TrainingListener.NONE).epochs());
    }

    @Test
    void modelDirectoriesThatDoNotFitAreRefusedWithTheFileNamed() throws IOException {
        Path out = dir.resolve("m");
        RecTrainer.train(TinyDataset.settings("full", 1), SPEC, data, out, TrainingListener.NONE);

        Path missing = dir.resolve("nowhere");
        assertEquals(missing + ": no such model directory", loadError(missing, data));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(empty.resolve("config.json") + ": missing (not a crs4j recommender model directory)", loadError(empty, data));

        // another dataset
        PreparedDataset other = new PreparedDataset("redial", data.items(), data.itemEntity(), data.graph(), data.splits(), data.linking(), data.notes());
        assertEquals(out.resolve("config.json") + ": field data.dataset: the model was trained on inspired, the data given is redial", loadError(out, other));
        // the same dataset prepared differently (another graph)
        TinyDataset.write(dir.resolve("data2"), 40, 8, 8);
        Path cfg = out.resolve("config.json");
        String config = Files.readString(cfg);
        Files.writeString(cfg, config.replaceFirst("\"fingerprint\" : \"[0-9a-f]+\"", "\"fingerprint\" : \"00\""));
        assertTrue(loadError(out, data).startsWith(cfg + ": field graph.fingerprint: the model was trained on another inspired graph"));
        Files.writeString(cfg, config);

        // a truncated weights file
        Path weights = out.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length / 2));
        assertTrue(loadError(out, data).startsWith(weights.toString()), loadError(out, data));
        Files.write(weights, bytes);

        // weights of another variant under this configuration
        Path kbrd = dir.resolve("kbrd");
        RecTrainer.train(TinyDataset.settings("kbrd", 1), SPEC, data, kbrd, TrainingListener.NONE);
        Files.copy(kbrd.resolve("model.safetensors"), weights, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(loadError(out, data).startsWith(weights + ": does not hold a full model of this graph: state dict does not match"), loadError(out, data));

        // a truncated configuration
        Files.writeString(cfg, config.substring(0, config.length() / 2));
        assertTrue(loadError(out, data).startsWith(cfg + ": not valid JSON (truncated?)"), loadError(out, data));
        Files.writeString(cfg, config);
    }

    private static String loadError(Path dir, PreparedDataset d) {
        return assertThrows(Exception.class, () -> CausalRecommender.load(dir, d)).getMessage();
    }

    @Test
    void runsThatCannotStartSayWhyBeforeWritingAnything() throws IOException {
        Path out = dir.resolve("r");
        RecSettings s = TinyDataset.settings("full", 1);
        RecTrainer.train(s, SPEC, data, out, TrainingListener.NONE);
        String before = Files.readString(out.resolve("config.json"));
        var again = assertThrows(IllegalArgumentException.class, () -> RecTrainer.train(s, SPEC, data, out, TrainingListener.NONE));
        assertEquals(out + ": already holds a model; pass --resume to continue its training, or choose another --out", again.getMessage());
        var other = assertThrows(IllegalArgumentException.class, () -> RecTrainer.resume(out, TinyDataset.settings("kbrd", 1), data, TrainingListener.NONE));
        assertTrue(other.getMessage().startsWith(out.resolve("config.json") + ": field settings: the run was started with variant \"full\" (now \"kbrd\")"),
                other.getMessage());
        assertEquals(before, Files.readString(out.resolve("config.json")));

        var splits = new java.util.EnumMap<Split, PreparedSplit>(Split.class);
        splits.putAll(data.splits());
        splits.put(Split.TEST, new PreparedSplit(List.of(), List.of(), List.of()));
        PreparedDataset noTest = new PreparedDataset("inspired", data.items(), data.itemEntity(), data.graph(), splits, data.linking(), data.notes());
        var none = assertThrows(IllegalArgumentException.class, () -> RecEvaluation.predict(CausalRecommender.load(out, noTest), noTest, Split.TEST));
        assertEquals("--split test: inspired has no recommendation samples in its test split", none.getMessage());
    }
}

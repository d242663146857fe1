package org.crs4j.crs.rec;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.crs4j.crs.eval.Estimate;
import org.crs4j.crs.eval.RankingEvaluation;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedDataset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full model trained on the real INSPIRED (../shared) for a fixed budget of 10 epochs (no early stopping, so the
 * validation split selects nothing), compared with the popularity baseline computed here on the same samples.
 *
 * <p>What it asserts, and why only that: on the validation split the model's Recall@50 is above popularity's (0.340
 * against 0.292 when this was written); on the test split popularity is unusually strong (Recall@50 0.353) and the
 * trained models of crs4j and of a PyTorch reference are level with it or below (crs/README.md), so the test split's
 * figures are printed, not asserted. Run with {@code ./mvnw -pl crs -am verify -Pslow}.
 */
@Tag("slow")
class InspiredTrainingSlowTest {
    @TempDir Path dir;

    @Test
    void fullModelBeatsPopularityAtRecall50OnValidation() throws Exception {
        String shared = System.getProperty("crs4j.shared");
        assertNotNull(shared, "crs4j.shared is set by the parent pom's Surefire argLine");
        Path data = Path.of(shared, "data");
        assertTrue(Files.isDirectory(data.resolve("inspired")), "shared data expected at " + data);
        RecData spec = new RecData("inspired", null, null);
        PreparedDataset inspired = spec.obtain(data, dir.resolve("cache"), org.crs4j.data.prepare.Progress.NONE);

        RecSettings s = RecSettings.forVariant("full", "inspired").withMaxEpochs(10).withPatience(10);
        long t0 = System.nanoTime();
        RecTrainer.train(s, spec, inspired, dir.resolve("model"), TrainingListener.NONE);
        double seconds = (System.nanoTime() - t0) / 1e9;
        // the last epoch's weights (model.safetensors would be the best validation epoch's: a selection)
        CausalRecommender rec = RecModelDirectory.open(dir.resolve("model")).loadLastEpoch(inspired);
        Recommender popularity = PopularityRecommender.fromTrainingTargets(inspired);
        for (Split split : new Split[] {Split.VALID, Split.TEST}) {
            Map<String, Estimate> model = RankingEvaluation.estimates(RankingEvaluation.ranks(RecEvaluation.predict(rec, inspired, split)),
                    RankingEvaluation.REDIAL_KS);
            Map<String, Estimate> pop = RankingEvaluation.estimates(RankingEvaluation.ranks(RecEvaluation.predict(popularity, inspired, split)),
                    RankingEvaluation.REDIAL_KS);
            System.out.printf("INSPIRED %s (%d samples), %.0f s of training: full %s | popularity %s (Recall@1, @10, @50)%n", split.label(),
                    model.get("Recall@50").n(), seconds, recalls(model), recalls(pop));
            if (split == Split.VALID) {
                assertTrue(model.get("Recall@50").mean() > pop.get("Recall@50").mean(),
                        "validation Recall@50: full " + recalls(model) + ", popularity " + recalls(pop));
            }
        }
    }

    private static String recalls(Map<String, Estimate> m) {
        return m.get("Recall@1").format() + " " + m.get("Recall@10").format() + " " + m.get("Recall@50").format();
    }
}

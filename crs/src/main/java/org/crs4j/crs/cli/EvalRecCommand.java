package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crs4j.crs.eval.MetricTable;
import org.crs4j.crs.eval.Prediction;
import org.crs4j.crs.eval.PredictionsFile;
import org.crs4j.crs.eval.RankingEvaluation;
import org.crs4j.crs.rec.PopularityRecommender;
import org.crs4j.crs.rec.RecData;
import org.crs4j.crs.rec.RecEvaluation;
import org.crs4j.crs.rec.RecModelDirectory;
import org.crs4j.crs.rec.Recommender;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.models.cli.DeviceOption;
import org.crs4j.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `crs4j eval rec`: a trained recommender (or the popularity baseline) on a split, with 95% intervals. */
@Command(name = "rec", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a trained recommender, or the popularity baseline, on a split: Recall (= HIT), MRR and NDCG at K",
                "with 95% bootstrap intervals, on the CRSLab/KBRD protocol (recommender turns, one sample per mentioned item)."})
final class EvalRecCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataOptions data = new DataOptions();
    @Mixin DeviceOption device = new DeviceOption();

    @Option(names = "--model", required = true, paramLabel = "DIR|popularity",
            description = "A model directory written by `crs4j train rec`, or `popularity` (the most frequent training targets; needs --dataset).")
    String model;

    @Option(names = "--dataset", paramLabel = "NAME", description = "The dataset (read from the model directory when not given).")
    String dataset;

    @Option(names = "--split", paramLabel = "NAME", description = "test (default) or valid.")
    String split = "test";

    @Option(names = "--k", split = ",", paramLabel = "K", description = "Cut-offs (default 1,10,50; opendialkg 1,3,5,10,25).")
    int[] ks;

    @Option(names = "--predictions", paramLabel = "FILE", description = "Also write each sample's top 50 as JSON Lines (see `crs4j score`).")
    Path predictions;

    @Override
    public Integer call() throws Exception {
        Split s = SplitOption.heldOut(split);
        Device target = device.resolve(); // before any data is read
        if (predictions != null) {
            Path parent = predictions.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) throw new IllegalArgumentException("--predictions " + predictions + ": folder " + parent + " does not exist");
        }
        boolean popularity = model.equals("popularity");
        RecModelDirectory dir = popularity ? null : RecModelDirectory.open(Path.of(model));
        RecData spec;
        if (popularity) {
            if (dataset == null) throw new IllegalArgumentException("--dataset: needed with --model popularity");
            Datasets.get(dataset);
            spec = new RecData(dataset, null, null);
        } else {
            spec = dir.config().data();
            if (dataset != null && !dataset.equals(spec.dataset())) {
                throw new IllegalArgumentException("--dataset " + dataset + ": " + model + " was trained on " + spec.dataset());
            }
        }
        int[] cutoffs = ks != null ? ks : spec.dataset().equals("opendialkg") ? RankingEvaluation.OPENDIALKG_KS : RankingEvaluation.REDIAL_KS;
        checkKs(cutoffs, RecEvaluation.TOP);
        ConsoleProgress progress = new ConsoleProgress(System.err, spec());
        PreparedDataset prepared = spec.obtain(data.dataDir(), data.cacheDir(), progress);
        progress.done();
        RecEvaluation.samples(prepared, s);
        checkKs(cutoffs, Math.min(RecEvaluation.TOP, prepared.graph().itemEntities().length));
        Recommender rec = popularity ? PopularityRecommender.fromTrainingTargets(prepared) : dir.load(prepared, target);

        long t0 = System.nanoTime();
        List<Prediction> predicted = RecEvaluation.predict(rec, prepared, s);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (predictions != null) PredictionsFile.write(predictions, predicted);

        int[] ranks = RankingEvaluation.ranks(predicted);
        long empty = RecEvaluation.samples(prepared, s).stream().filter(x -> x.contextEntities().length == 0).count();
        PrintWriter out = spec();
        out.printf(Locale.ROOT, "%s on %s %s: %,d samples (%,d with an empty context%s), scored in %.2f s%n", rec.name(), prepared.name(),
                s.label(), ranks.length, empty, popularity ? "" : ", answered by popularity", seconds);
        out.print(MetricTable.of(List.of(rec.name()), List.of(RankingEvaluation.estimates(ranks, cutoffs))));
        if (predictions != null) out.println("predictions: " + predictions);
        out.flush();
        return 0;
    }

    /** Every K must fit the ranked lists (the top 50, or every item of a smaller catalogue), so that `score` recomputes it. */
    private static void checkKs(int[] ks, int listLength) {
        for (int k : ks) {
            if (k < 1 || k > listLength) {
                throw new IllegalArgumentException("--k: " + k + " is not a valid cut-off (1.." + listLength + ", the length of the ranked lists)");
            }
        }
    }

    private PrintWriter spec() {
        return spec.commandLine().getOut();
    }
}

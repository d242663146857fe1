package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.crs4j.crs.eval.Estimate;
import org.crs4j.crs.eval.MetricTable;
import org.crs4j.crs.eval.Prediction;
import org.crs4j.crs.eval.PredictionsFile;
import org.crs4j.crs.eval.RankingEvaluation;
import org.crs4j.crs.eval.SeedSummary;
import org.crs4j.crs.rec.RecData;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `crs4j score`: metrics recomputed from files, so that crs4j and models trained elsewhere are compared on equal
 * terms. Each kind of input is an argument group of its own (today: ranked predictions), so that other kinds of
 * output (generated text against references) join as further groups.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Recompute metrics from files: Recall (= HIT), MRR and NDCG at K with 95% bootstrap intervals from a predictions",
                "file (JSON Lines written by `crs4j eval rec --predictions` or by any model), and with --against the two-sided paired",
                "t-test of per-sample Recall@K over the samples both files contain."})
final class ScoreCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @ArgGroup(exclusive = false, multiplicity = "1", heading = "Ranked recommendations:%n")
    Ranked ranked;

    static final class Ranked {
        @Option(names = "--predictions", required = true, arity = "1..*", paramLabel = "FILE",
                description = {"JSON Lines: {\"dialogue\": str, \"turn\": int, \"target\": str, \"ranked\": [str, ...]} per sample.",
                        "Several files (e.g. one per training seed) add a column of their mean ± standard deviation."})
        List<Path> predictions;

        @Option(names = "--against", arity = "1..*", paramLabel = "FILE",
                description = "As many files to compare with, paired by position: a paired t-test over each pair's common samples.")
        List<Path> against;

        @Option(names = "--k", split = ",", paramLabel = "K", description = "Cut-offs (default 1,10,50).")
        int[] ks;

        @Option(names = "--dataset", paramLabel = "NAME",
                description = "Check every item id against this dataset's catalogue (an unknown id is an error).")
        String dataset;
    }

    @Mixin DataOptions data = new DataOptions();

    @Override
    public Integer call() {
        Ranked r = ranked;
        int[] ks = r.ks != null ? r.ks : RankingEvaluation.REDIAL_KS;
        for (int k : ks) if (k < 1) throw new IllegalArgumentException("--k: " + k + " is not a valid cut-off (K must be >= 1)");
        if (r.against != null && r.against.size() != r.predictions.size()) {
            throw new IllegalArgumentException("--against: " + r.against.size() + " files for " + r.predictions.size() + " --predictions files (they pair by position)");
        }
        Predicate<String> known = id -> true;
        if (r.dataset != null) {
            var catalogue = new RecData(r.dataset, null, null).obtain(data.dataDir(), data.cacheDir(), org.crs4j.data.prepare.Progress.NONE).items();
            known = id -> catalogue.indexOf(id) >= 0;
        }
        PrintWriter out = spec.commandLine().getOut();
        List<List<Prediction>> a = read(r.predictions, known, ks), b = r.against == null ? null : read(r.against, known, ks);
        table(out, r.predictions, a, ks);
        if (b != null) {
            out.println();
            table(out, r.against, b, ks);
            for (int i = 0; i < a.size(); i++) {
                String na = r.predictions.get(i).getFileName().toString(), nb = r.against.get(i).getFileName().toString();
                var paired = RankingEvaluation.compare(a.get(i), b.get(i), ks);
                out.printf(Locale.ROOT, "%npaired t-test (two-sided) over %,d common samples (%,d only in %s, %,d only in %s):%n", paired.common(),
                        paired.onlyA(), na, paired.onlyB(), nb);
                MetricTable t = new MetricTable("metric", na, nb, "difference", "t", "p");
                for (var c : paired.rows()) {
                    var x = c.test();
                    t.row(c.metric(), fmt(x.meanA()), fmt(x.meanB()), String.format(Locale.ROOT, "%+.4f", x.difference()),
                            String.format(Locale.ROOT, "%.3f", x.t()), pValue(x.p()));
                }
                out.print(t);
            }
        }
        out.flush();
        return 0;
    }

    private static List<List<Prediction>> read(List<Path> files, Predicate<String> known, int[] ks) {
        List<List<Prediction>> out = new ArrayList<>();
        for (Path f : files) {
            List<Prediction> p = PredictionsFile.read(f, known);
            RankingEvaluation.checkKs(ks, p, f.toString());
            out.add(p);
        }
        return out;
    }

    /** One column per file, each cell mean [95% CI]; with several files, a last column of mean ± std across them. */
    private static void table(PrintWriter out, List<Path> files, List<List<Prediction>> predictions, int[] ks) {
        List<String> names = new ArrayList<>();
        List<Map<String, Estimate>> results = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            names.add(files.get(i).getFileName().toString());
            results.add(RankingEvaluation.estimates(RankingEvaluation.ranks(predictions.get(i)), ks));
            out.printf(Locale.ROOT, "%s: %,d samples%n", files.get(i), predictions.get(i).size());
        }
        MetricTable t = MetricTable.of(names, results);
        if (files.size() > 1) t = t.withColumn("mean ± std (" + files.size() + " files)", metric -> {
            double[] v = results.stream().mapToDouble(m -> m.get(metric).mean()).toArray();
            return SeedSummary.of(v).format();
        });
        out.print(t);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String pValue(double p) {
        return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
    }
}

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
        @Option(names = "--predictions", required = true, paramLabel = "FILE",
                description = "JSON Lines: {\"dialogue\": str, \"turn\": int, \"target\": str, \"ranked\": [str, ...]} per sample.")
        Path predictions;

        @Option(names = "--against", paramLabel = "FILE", description = "A second predictions file: paired t-test over the common samples.")
        Path against;

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
        Predicate<String> known = id -> true;
        if (r.dataset != null) {
            var catalogue = new RecData(r.dataset, null, null).obtain(data.dataDir(), data.cacheDir(), org.crs4j.data.prepare.Progress.NONE).items();
            known = id -> catalogue.indexOf(id) >= 0;
        }
        List<Prediction> a = PredictionsFile.read(r.predictions, known);
        RankingEvaluation.checkKs(ks, a, r.predictions.toString());
        List<String> names = new ArrayList<>(List.of(r.predictions.getFileName().toString()));
        List<Map<String, Estimate>> results = new ArrayList<>(List.of(RankingEvaluation.estimates(RankingEvaluation.ranks(a), ks)));
        List<Prediction> b = null;
        if (r.against != null) {
            b = PredictionsFile.read(r.against, known);
            RankingEvaluation.checkKs(ks, b, r.against.toString());
            names.add(r.against.getFileName().toString());
            results.add(RankingEvaluation.estimates(RankingEvaluation.ranks(b), ks));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s: %,d samples%s%n", r.predictions, a.size(), b == null ? "" : String.format(Locale.ROOT, "; %s: %,d samples", r.against, b.size()));
        out.print(MetricTable.of(names, results));
        if (b != null) {
            var paired = RankingEvaluation.compare(a, b, ks);
            out.printf(Locale.ROOT, "%npaired t-test (two-sided) over %,d common samples (%,d only in %s, %,d only in %s):%n", paired.common(),
                    paired.onlyA(), names.get(0), paired.onlyB(), names.get(1));
            MetricTable t = new MetricTable("metric", names.get(0), names.get(1), "difference", "t", "p");
            for (var c : paired.rows()) {
                var x = c.test();
                t.row(c.metric(), fmt(x.meanA()), fmt(x.meanB()), String.format(Locale.ROOT, "%+.4f", x.difference()),
                        String.format(Locale.ROOT, "%.3f", x.t()), pValue(x.p()));
            }
            out.print(t);
        }
        out.flush();
        return 0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String pValue(double p) {
        return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
    }
}

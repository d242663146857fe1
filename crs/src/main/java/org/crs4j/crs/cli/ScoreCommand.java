package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.Map;
import java.util.function.Predicate;
import org.crs4j.crs.eval.Estimate;
import org.crs4j.crs.eval.MetricTable;
import org.crs4j.crs.eval.Prediction;
import org.crs4j.crs.eval.PredictionsFile;
import org.crs4j.crs.eval.RankingEvaluation;
import org.crs4j.crs.eval.SeedSummary;
import org.crs4j.crs.eval.TextMetrics;
import org.crs4j.crs.rec.RecData;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.MalformedDataException;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.io.TextLines;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code crs4j score}: scores what a system produced, from files, so that crs4j and systems run elsewhere are compared
 * on equal terms. Two modes: ranked recommendations ({@code --predictions [--against]}): Recall/MRR/NDCG at K with
 * bootstrap intervals and paired t-tests ({@link RankingEvaluation}); text ({@code --hypotheses --references}): BLEU
 * in both forms and Distinct-n ({@link TextMetrics}).
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score what a system produced, from files.",
                "--predictions: ranked recommendations (JSON Lines written by `crs4j eval rec --predictions` or any model): Recall (= HIT),",
                "MRR and NDCG at K with 95%% bootstrap intervals; several files add their mean ± std; --against: the two-sided paired",
                "t-test of per-sample Recall@K over the samples both files contain.",
                "--hypotheses/--references: generated responses against references: BLEU (CRSLab/UniCRS sentence BLEU-k and NLTK",
                "corpus BLEU-n) and Distinct-n, each with a 95%% interval."})
public final class ScoreCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--hypotheses", paramLabel = "FILE", description = "Generated responses, one per line (UTF-8, .gz allowed).")
    Path hypotheses;

    @Option(names = "--references", paramLabel = "FILE", description = "Reference responses, one per line, in the same order.")
    Path references;

    @Option(names = "--resamples", paramLabel = "N", defaultValue = "1000",
            description = "Bootstrap resamples for the corpus-level intervals (default: ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the bootstrap (default: ${DEFAULT-VALUE}).")
    long seed;

    @ArgGroup(exclusive = false, multiplicity = "0..1", heading = "Ranked recommendations:%n")
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
        if (ranked != null) {
            if (hypotheses != null || references != null) {
                throw new IllegalArgumentException("--predictions and --hypotheses/--references are two modes: give one");
            }
            return scoreRanked(spec.commandLine().getOut());
        }
        if (hypotheses == null && references == null) {
            throw new IllegalArgumentException("give --predictions FILE (ranked recommendations), or --hypotheses FILE --references FILE (text)");
        }
        if (hypotheses == null) throw new IllegalArgumentException("--references needs --hypotheses FILE");
        if (references == null) throw new IllegalArgumentException("--hypotheses needs --references FILE");
        return scoreText(spec.commandLine().getOut());
    }

    private int scoreText(PrintWriter out) {
        if (resamples < 1) throw new IllegalArgumentException("--resamples: must be >= 1, got " + resamples);
        List<String> hyps = lines("--hypotheses", hypotheses), refs = lines("--references", references);
        if (hyps.size() != refs.size())
            throw new IllegalArgumentException("--references " + references + ": " + refs.size() + " lines, but --hypotheses " + hypotheses
                    + " has " + hyps.size() + " (one text per line, in the same order)");
        TextMetrics.Report r = TextMetrics.score(hyps, refs, resamples, seed);
        print(out, r);
        return 0;
    }

    static void print(PrintWriter out, TextMetrics.Report r) {
        out.printf(Locale.ROOT, "%,d responses (%,d hypotheses without tokens); tokens: lower case, split at whitespace, Chinese characters one each%n", r.responses(), r.emptyHypotheses());
        out.printf(Locale.ROOT, "%-15s %8s  %-19s %8s%n", "metric", "value", "95% interval", "dev.");
        for (TextMetrics.Estimate e : r.rows()) {
            out.printf(Locale.ROOT, "%-15s %8.4f  [%7.4f, %7.4f]  %s %.4f%n", e.name(), e.value(), e.low(), e.high(), e.deviationKind(), e.deviation());
        }
        out.printf(Locale.ROOT, "BLEU-k: NLTK sentence_bleu with weight 1 on order k of 4, no smoothing, mean over responses (CRSLab/UniCRS); "
                + "interval: Student t, sd over responses%n");
        out.printf(Locale.ROOT, "corpus BLEU-n: NLTK corpus_bleu, weights 1/n on orders 1..n; interval: bootstrap percentile, %,d resamples, "
                + "se = bootstrap standard error%n", r.resamples());
        out.printf(Locale.ROOT, "Dist-n: distinct word n-grams / responses; interval: value +- 1.96 jackknife se%n");
        out.flush();
    }

    /** Every line of a UTF-8 text file (a final newline ends the last line; it does not start an empty one). */
    static List<String> lines(String option, Path file) {
        String problem = org.crs4j.tensor.io.InputFiles.problem(file); // a FIFO is named as one, not taken for missing
        if (problem != null) throw new IllegalArgumentException(option + " " + file + ": " + problem);
        List<String> out = new ArrayList<>();
        try {
            TextLines.forEach(new DataFile(file, option + " " + file), ReadReport.strict(), (line, n) -> out.add(line));
        } catch (MalformedDataException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(option + " " + file + ": the file is empty");
        return out;
    }

    private int scoreRanked(PrintWriter out) {
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

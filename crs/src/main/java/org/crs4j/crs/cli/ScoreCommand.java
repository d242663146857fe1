package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crs4j.crs.eval.TextMetrics;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.MalformedDataException;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.io.TextLines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code crs4j score}: scores what a system produced against the references. Text mode ({@code --hypotheses
 * --references}): BLEU in both forms and Distinct-n ({@link TextMetrics}).
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score generated responses against references: BLEU (CRSLab/UniCRS sentence BLEU-k and NLTK corpus BLEU-n) "
                + "and Distinct-n, each with a 95%% interval.")
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

    @Override
    public Integer call() {
        if (hypotheses == null && references == null) throw new IllegalArgumentException("give --hypotheses FILE --references FILE");
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
        out.printf(Locale.ROOT, "%,d responses (%,d hypotheses without tokens); tokens: lower case, split at whitespace%n", r.responses(), r.emptyHypotheses());
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
        String problem = org.crs4j.io.InputFiles.problem(file); // a FIFO is named as one, not taken for missing
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
}

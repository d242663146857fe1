package org.crs4j.crs.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.crs4j.crs.rec.RecData;
import org.crs4j.crs.rec.RecModelDirectory;
import org.crs4j.crs.rec.RecSettings;
import org.crs4j.crs.rec.RecTrainer;
import org.crs4j.data.model.Datasets;
import org.crs4j.models.cli.DeviceOption;
import org.crs4j.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `crs4j train rec`: trains the deconfounded causal recommender (or an ablation) into a model directory. */
@Command(name = "rec", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the recommender of seed 003 (full), its ablation without the causal terms (no-causal), or KBRD (kbrd).",
                "Prints one validation line per epoch; the best epoch's weights, a checkpoint per epoch and the history go to --out."})
final class TrainRecCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataOptions data = new DataOptions();
    @Mixin DeviceOption device = new DeviceOption();

    @Option(names = "--dataset", paramLabel = "NAME", description = "redial, inspired, opendialkg or tgredial (not needed with --resume).")
    String dataset;

    @Option(names = "--variant", paramLabel = "NAME", description = "full (default), no-causal or kbrd.")
    String variant;

    @Option(names = "--seed", paramLabel = "N", description = "Initialisation and data order (default: the variant's, 1).")
    Long seed;

    @Option(names = "--epochs", paramLabel = "N", description = "Maximum epochs; the learning rate decays to 0 there (default: the dataset's, see datasets.json).")
    Integer epochs;

    @Option(names = "--patience", paramLabel = "N", description = "Stop after N epochs without a better validation Recall@50 (default: the dataset's).")
    Integer patience;

    @Option(names = "--warmup-steps", paramLabel = "N", description = "Linear warm-up steps before the decay (default 1000, seed 003's).")
    Integer warmupSteps;

    @Option(names = "--bases", paramLabel = "B", description = "RGCN basis decomposition with B bases (0: a weight per relation; default: the variant's).")
    Integer bases;

    @Option(names = "--intervention", paramLabel = "M", description = "The masking operation of Eq. 5: zero (default) or learned.")
    String intervention;

    @Option(names = "--out", paramLabel = "DIR", description = "Model directory (default: models/rec/DATASET-VARIANT-seedN).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--graph", paramLabel = "VARIANT", description = "Knowledge-graph variant (redial: kgsf (default) or unicrs).")
    String graph;

    @Option(names = "--link-text", arity = "1", paramLabel = "true|false",
            description = "Link entity names in utterances (default: on for redial, tgredial, opendialkg; off for inspired).")
    Boolean linkText;

    @Override
    public Integer call() throws Exception {
        Device target = device.resolve(); // an unusable --device fails here, before any data is read
        PrintWriter pw = spec.commandLine().getOut();
        ConsoleProgress progress = new ConsoleProgress(System.err, pw);
        RecTrainer.Result r;
        if (resume) {
            if (out == null) throw new IllegalArgumentException("--resume: needs --out DIR, the run to continue");
            RecModelDirectory d = RecModelDirectory.open(out);
            RecSettings own = d.config().settings();
            RecData spec = d.config().data();
            if (dataset != null && !dataset.equals(spec.dataset())) {
                throw new IllegalArgumentException("--dataset " + dataset + ": " + out + " was trained on " + spec.dataset());
            }
            if (graph != null || linkText != null) throw new IllegalArgumentException("--resume: the data options are those of " + out.resolve(RecModelDirectory.CONFIG));
            if (variant != null && !variant.equals(own.variant())) {
                throw new IllegalArgumentException("--variant " + variant + ": " + out + " holds a " + own.variant() + " run; resume it as it is");
            }
            RecSettings asked = apply(own); // any other option given must agree with the run's own
            var prepared = spec.obtain(data.dataDir(), data.cacheDir(), progress);
            progress.done();
            r = RecTrainer.resume(out, asked, prepared, progress, target);
        } else {
            if (dataset == null) throw new IllegalArgumentException("--dataset: missing (redial, inspired, opendialkg or tgredial)");
            Datasets.get(dataset); // an unknown name fails here, before any work
            RecSettings s = apply(RecSettings.forVariant(variant == null ? "full" : variant, dataset));
            Path dir = out != null ? out : Path.of("models", "rec", dataset + "-" + s.variant() + "-seed" + s.seed());
            if (Files.exists(dir.resolve(RecModelDirectory.CONFIG))) {
                throw new IllegalArgumentException("--out " + dir + ": already holds a model; pass --resume to continue its training, or choose another --out");
            }
            RecData spec = new RecData(dataset, graph, linkText);
            var prepared = spec.obtain(data.dataDir(), data.cacheDir(), progress);
            progress.done();
            r = RecTrainer.train(s, spec, prepared, dir, progress, target);
        }
        pw.printf(Locale.ROOT, "%s: best epoch %d of %d, valid Recall@1/10/50 %.4f / %.4f / %.4f (%s) -> %s%n",
                r.dir().getFileName(), r.bestEpoch(), r.epochs(), r.bestValid()[0], r.bestValid()[1], r.bestValid()[2], r.stopped(), r.dir());
        pw.flush();
        return 0;
    }

    private RecSettings apply(RecSettings s) {
        if (seed != null) s = s.withSeed(seed);
        if (epochs != null) {
            if (epochs < 1) throw new IllegalArgumentException("--epochs: must be >= 1, got " + epochs);
            s = s.withMaxEpochs(epochs);
        }
        if (patience != null) {
            if (patience < 1) throw new IllegalArgumentException("--patience: must be >= 1, got " + patience);
            s = s.withPatience(patience);
        }
        if (warmupSteps != null) {
            if (warmupSteps < 0) throw new IllegalArgumentException("--warmup-steps: must be >= 0, got " + warmupSteps);
            s = s.withWarmupSteps(warmupSteps);
        }
        if (bases != null) {
            if (bases < 0) throw new IllegalArgumentException("--bases: must be >= 0, got " + bases);
            s = s.withBases(bases);
        }
        if (intervention != null) {
            if (!intervention.equals("zero") && !intervention.equals("learned")) {
                throw new IllegalArgumentException("--intervention: must be zero or learned, not " + intervention);
            }
            s = s.withIntervention(intervention);
        }
        return s;
    }
}

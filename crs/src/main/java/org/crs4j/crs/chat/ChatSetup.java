package org.crs4j.crs.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.Llms;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.LlmcrsSetup;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.rec.CausalRecommender;
import org.crs4j.crs.rec.RecData;
import org.crs4j.crs.rec.RecModelDirectory;
import org.crs4j.crs.rec.RecSettings;
import org.crs4j.crs.rec.RecTrainer;
import org.crs4j.crs.rec.TrainingListener;
import org.crs4j.data.model.Datasets;
import org.crs4j.data.prepare.Progress;
import org.crs4j.models.hub.Hub;

/**
 * Assembles the chat's recommender from what is on this machine, in a stated order, so that {@code crs4j chat}
 * needs no argument on a fresh machine with the data beside it:
 * <ol>
 *   <li>the recommender: {@code --model DIR} (a trained model directory; its dataset follows from it), else the
 *   full causal recommender of the dataset (ReDial by default) in the crs4j cache, trained there on first use;</li>
 *   <li>the LLM: {@code --llm} (folder, Hugging Face id, {@code URL#MODEL}), else a controller crs4j trained earlier
 *   in {@link #controllerDir}, else {@value #FLAN} when it is in the Hugging Face cache, else none: the experts-only
 *   variant ({@link CrsSystem.Mode#EXPERTS_ONLY}).</li>
 * </ol>
 */
public final class ChatSetup {
    /** The instruction-following LLM taken when it is already in the Hugging Face cache (never downloaded unasked). */
    public static final String FLAN = "google/flan-t5-large";
    public static final String DEFAULT_DATASET = "redial";

    /**
     * @param recModel a trained model directory, or null for the cached default
     * @param dataset  the dataset of the default model (null: ReDial); with {@code recModel}, must be its dataset
     * @param llm      an {@code Llms.open} spec, or null for the default order
     * @param noLlm    the experts-only variant even when an LLM is available
     * @param cacheDir the crs4j cache: prepared data, item databases, and the default models under {@code models/}
     */
    public record Options(Path recModel, String dataset, String llm, boolean noLlm, Path dataDir, Path cacheDir) {}

    /** The assembled system and how each part was found (for the banner). */
    public record Assembled(CrsSystem system, Path recModel, String recommenderHow, String llmHow, Path controllerDir) {}

    private ChatSetup() {}

    /** Where the default recommender of a dataset is trained and cached. */
    public static Path defaultModelDir(Path cacheDir, String dataset) {
        return cacheDir.resolve("models").resolve("rec").resolve(dataset + "-full-seed1");
    }

    /**
     * Where the chat looks for a controller LLM trained earlier: a model folder (config.json, model.safetensors,
     * tokenizer) as {@code crs4j train controller --out} writes it.
     */
    public static Path controllerDir(Path cacheDir) {
        return cacheDir.resolve("models").resolve("controller");
    }

    /**
     * @param training    shows the first-use training (progress bar, epochs)
     * @param preparation shows data preparation
     * @param note        one-line notes on what was chosen and why
     */
    public static Assembled assemble(Options o, TrainingListener training, Progress preparation, Consumer<String> note) throws IOException {
        if (o.dataset() != null) {
            try {
                Datasets.get(o.dataset());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--dataset " + e.getMessage());
            }
        }
        if (o.llm() != null && o.noLlm()) throw new IllegalArgumentException("--no-llm: leave out --llm, or this option");

        // the recommender, checked before anything large is loaded
        Path dir;
        String how;
        RecData data;
        if (o.recModel() != null) {
            dir = o.recModel();
            RecModelDirectory m;
            try {
                m = RecModelDirectory.open(dir);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--model " + e.getMessage());
            }
            requireFull(m, "--model " + dir);
            data = m.config().data();
            if (o.dataset() != null && !o.dataset().equals(data.dataset()))
                throw new IllegalArgumentException("--dataset " + o.dataset() + ": " + dir + " was trained on " + data.dataset());
            how = "--model";
        } else {
            String dataset = o.dataset() != null ? o.dataset() : DEFAULT_DATASET;
            dir = defaultModelDir(o.cacheDir(), dataset);
            data = new RecData(dataset, null, null);
            how = "cached";
        }

        // the LLM next: a wrong --llm is said before the dataset is prepared and the recommender loaded
        Llm llm = null;
        String llmHow;
        if (o.noLlm()) {
            llmHow = "none (--no-llm)";
        } else if (o.llm() != null) {
            llm = Llms.open(o.llm());
            llmHow = o.llm() + " (--llm)";
        } else if (isModelFolder(controllerDir(o.cacheDir()))) {
            llm = Llms.open(controllerDir(o.cacheDir()).toString());
            llmHow = controllerDir(o.cacheDir()) + " (the controller trained earlier)";
        } else if (flanCached().isPresent()) {
            llm = Llms.open(FLAN);
            llmHow = FLAN + " (found in the Hugging Face cache)";
        } else {
            llmHow = "none (no --llm, no controller in " + controllerDir(o.cacheDir()) + ", " + FLAN + " not in the Hugging Face cache)";
        }

        Environment env;
        try {
            env = LlmcrsSetup.environment(o.dataDir(), data.dataset(), data.graph(), data.linkText(), o.cacheDir(), preparation);
        } catch (RuntimeException | Error e) {
            if (llm != null) llm.close();
            throw e;
        }
        preparation.done();
        try {
            if (o.recModel() == null && !finished(dir)) {
                how = trainDefault(dir, data, env, training, note);
            }
            long t0 = System.nanoTime();
            RecModelDirectory m = RecModelDirectory.open(dir);
            requireFull(m, dir.toString());
            CausalRecommender rec = m.load(env.data());
            how += String.format(java.util.Locale.ROOT, ", loaded in %.1f s", (System.nanoTime() - t0) / 1e9);
            env = env.withRecommender(rec);
            ExpertRegistry registry = ExpertRegistry.shipped(env).after(ExpertRegistry.resource(ExpertRegistry.CAUSAL, env));

            return new Assembled(CrsSystem.of(env, registry, llm), dir, how, llmHow, controllerDir(o.cacheDir()));
        } catch (IOException | RuntimeException | Error e) {
            if (llm != null) llm.close();
            env.db().close();
            throw e;
        }
    }

    private static String trainDefault(Path dir, RecData data, Environment env, TrainingListener training, Consumer<String> note) throws IOException {
        long t0 = System.nanoTime();
        boolean resume = Files.isRegularFile(dir.resolve(RecModelDirectory.CHECKPOINT)) && Files.isRegularFile(dir.resolve(RecModelDirectory.CONFIG));
        note.accept((resume ? "resuming the training of " : "training ") + "the causal recommender (full) on " + data.dataset() + " into " + dir
                + " — once; later starts load it in seconds" + (data.dataset().equals(DEFAULT_DATASET) ? " (ReDial took about 90 minutes on a 2-core machine)" : ""));
        RecSettings settings = RecSettings.forVariant("full", data.dataset());
        TrainingListener shown = withRunEta(training, note);
        if (resume) RecTrainer.resume(dir, RecModelDirectory.open(dir).config().settings(), env.data(), shown);
        else {
            Files.createDirectories(dir.getParent());
            RecTrainer.train(settings, data, env.data(), dir, shown);
        }
        return String.format(java.util.Locale.ROOT, "trained now in %.0f s", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The training's own display (a bar per epoch with that epoch's ETA) plus, after each epoch, the time the whole run
     * may still take: the mean epoch so far times the epochs left in the budget (early stopping may end it sooner).
     */
    static TrainingListener withRunEta(TrainingListener shown, Consumer<String> note) {
        return new TrainingListener() {
            private long start;
            private int first, max;

            @Override
            public void started(RecSettings s, int samples, int emptyContexts, int updatesPerEpoch, int firstEpoch) {
                start = System.nanoTime();
                first = firstEpoch;
                max = s.maxEpochs();
                shown.started(s, samples, emptyContexts, updatesPerEpoch, firstEpoch);
            }

            @Override
            public void updated(int epoch, int update, int updatesPerEpoch, double loss) {
                shown.updated(epoch, update, updatesPerEpoch, loss);
            }

            @Override
            public void epochEnded(EpochRecord r) {
                shown.epochEnded(r);
                double perEpoch = (System.nanoTime() - start) / 1e9 / (r.epoch() - first + 1);
                int left = max - r.epoch();
                if (left > 0)
                    note.accept(String.format(java.util.Locale.ROOT, "training: epoch %d of at most %d done, at most %s left (%.0f s per epoch so far)",
                            r.epoch(), max, duration(perEpoch * left), perEpoch));
            }
        };
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(java.util.Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(java.util.Locale.ROOT, "%d min %02d s", s / 60, s % 60) : s + " s";
    }

    /** Whether a model directory holds a finished training run. */
    static boolean finished(Path dir) {
        if (!Files.isRegularFile(dir.resolve(RecModelDirectory.CONFIG)) || !Files.isRegularFile(dir.resolve(RecModelDirectory.MODEL))) return false;
        try {
            return RecModelDirectory.open(dir).config().training() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void requireFull(RecModelDirectory m, String where) {
        String variant = m.config().settings().variant();
        if (!variant.equals("full"))
            throw new IllegalArgumentException(where + ": holds a " + variant + " model; the chat's recommendation expert is seed 003's full "
                    + "causal recommender (crs4j train rec --variant full)");
    }

    private static boolean isModelFolder(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json")) && Files.isRegularFile(dir.resolve("model.safetensors"));
    }

    /** {@value #FLAN}'s folder when the Hugging Face cache holds it (looked up, never downloaded). */
    public static Optional<Path> flanCached() {
        try {
            var cache = Hub.fromEnvironment().cache();
            Optional<String> commit = cache.commit(FLAN, Hub.MAIN);
            if (commit.isEmpty()) return Optional.empty();
            Path snapshot = cache.snapshot(FLAN, commit.get());
            return Files.isRegularFile(snapshot.resolve("config.json")) ? Optional.of(snapshot) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}

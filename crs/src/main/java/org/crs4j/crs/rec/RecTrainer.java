package org.crs4j.crs.rec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.crs.eval.RankMetric;
import org.crs4j.crs.eval.RankingEvaluation;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.RecommendationSample;
import org.crs4j.nn.checkpoint.Checkpoint;
import org.crs4j.nn.optim.Adam;
import org.crs4j.nn.optim.LrSchedule;
import org.crs4j.nn.optim.LrScheduler;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.AtomicFiles;

/**
 * Trains a {@link CausalRecModel} as seed 003 §4 describes, into a {@link RecModelDirectory}:
 * <ul>
 *   <li>Adam (lr 5e-3, no weight decay, no clipping), batch 32 with update frequency 4: one optimizer step per 128
 *       samples, the loss being their mean. The parameters do not change between the four micro-batches of one
 *       update, so H = RGCN(E) is computed once per update for all 128 samples: the gradient is the one that
 *       accumulating four micro-batches of 32 gives (each mean scaled by 1/4), at a quarter of the graph work;</li>
 *   <li>1000 linear warm-up steps, then linear decay (fairseq's polynomial decay, power 1) to 0 at the last step
 *       of {@code maxEpochs}; the first step has lr 0, as in Hugging Face's schedules;</li>
 *   <li>the training samples shuffled each epoch by a seeded generator; samples whose context has no entity are
 *       left out of training (their user vector is 0 whatever the weights, so they carry no gradient);</li>
 *   <li>after each epoch: Recall@1/10/50 on the validation split; the best Recall@50 so far (ties broken by
 *       Recall@10, then @1) keeps its weights as {@code model.safetensors}; training stops after {@code patience}
 *       epochs without a better one;</li>
 *   <li>after each epoch a checkpoint with everything needed to continue (weights, Adam state, schedule, data-order
 *       generator, early-stopping state), written atomically: a run killed at any point and resumed from it ends
 *       with exactly the weights and figures of an uninterrupted run (same seed and thread count).</li>
 * </ul>
 */
public final class RecTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecTrainer() {}

    /** How a run ended. {@code bestValid} holds validation Recall@1, @10, @50 of the kept weights. */
    public record Result(Path dir, int epochs, int bestEpoch, double[] bestValid, String stopped) {}

    /** A new run into {@code out} (which must not hold another run), on the CPU. */
    public static Result train(RecSettings settings, RecData spec, PreparedDataset data, Path out, TrainingListener listener)
            throws IOException {
        return train(settings, spec, data, out, listener, Device.CPU);
    }

    /**
     * A new run into {@code out} with the model on {@code device}: parameters, gradients and Adam's moments stay there;
     * each update uploads only its batch (contexts, targets, item ids) and reads back its loss; checkpoints and weights
     * are downloaded when written.
     */
    public static Result train(RecSettings settings, RecData spec, PreparedDataset data, Path out, TrainingListener listener,
                               Device device) throws IOException {
        if (Files.exists(out.resolve(RecModelDirectory.CONFIG))) {
            throw new IllegalArgumentException(out + ": already holds a model; pass --resume to continue its training, or choose another --out");
        }
        Files.createDirectories(out);
        RecGraph g = RecGraph.of(data);
        checkData(spec, data);
        RecModelDirectory.writeConfig(out, RecModelDirectory.configFor(settings, spec, g));
        return run(settings, spec, data, g, out, false, listener, device);
    }

    /**
     * Continues the run in {@code out} from its last checkpoint. {@code settings}, when not null, must equal the
     * run's own (a different variant, seed or schedule would not continue the same run).
     */
    public static Result resume(Path out, RecSettings settings, PreparedDataset data, TrainingListener listener) throws IOException {
        return resume(out, settings, data, listener, Device.CPU);
    }

    /** {@link #resume} with the model on {@code device} (any device: a checkpoint holds no device). */
    public static Result resume(Path out, RecSettings settings, PreparedDataset data, TrainingListener listener, Device device)
            throws IOException {
        RecModelDirectory d = RecModelDirectory.open(out);
        RecSettings own = d.config().settings();
        if (settings != null && !settings.equals(own)) {
            throw new IllegalArgumentException(out.resolve(RecModelDirectory.CONFIG) + ": field settings: the run was started with "
                    + differences(own, settings) + "; resume it without changing them");
        }
        RecGraph g = d.check(data);
        return run(own, d.config().data(), data, g, out, true, listener, device);
    }

    private static String differences(RecSettings own, RecSettings asked) {
        ObjectNode a = own.toJson(), b = asked.toJson();
        List<String> diffs = new ArrayList<>();
        a.fieldNames().forEachRemaining(f -> {
            if (!a.get(f).equals(b.get(f))) diffs.add(f + " " + a.get(f) + " (now " + b.get(f) + ")");
        });
        return String.join(", ", diffs);
    }

    private static void checkData(RecData spec, PreparedDataset data) {
        if (!spec.dataset().equals(data.name())) throw new IllegalArgumentException("--dataset " + spec.dataset() + " but the data is " + data.name());
        if (data.split(Split.TRAIN) == null || data.split(Split.TRAIN).recommendations().isEmpty()) {
            throw new IllegalArgumentException("--dataset " + data.name() + ": no training samples (its train split is missing or has no recommendation samples)");
        }
        RecEvaluation.samples(data, Split.VALID);
    }

    private static Result run(RecSettings s, RecData spec, PreparedDataset data, RecGraph g, Path out, boolean resume,
                              TrainingListener listener, Device device) throws IOException {
        checkData(spec, data);
        List<RecommendationSample> train = new ArrayList<>();
        for (RecommendationSample r : data.split(Split.TRAIN).recommendations()) if (r.contextEntities().length > 0) train.add(r);
        int empty = data.split(Split.TRAIN).recommendations().size() - train.size();
        if (train.isEmpty()) throw new IllegalArgumentException("--dataset " + data.name() + ": no training sample has a context entity");
        int perUpdate = s.samplesPerUpdate();
        int updatesPerEpoch = (train.size() + perUpdate - 1) / perUpdate;
        long totalSteps = Math.max((long) updatesPerEpoch * s.maxEpochs(), s.warmupSteps());

        // initialised on the CPU (the same weights on every device), then moved once; the checkpoint loads onto it
        CausalRecModel model = new CausalRecModel(s, g.entities(), g.relations(), new Generator(s.seed()));
        model.to(device);
        Adam adam = new Adam(model.namedParameters(), s.lr());
        LrScheduler schedule = new LrScheduler(adam, LrSchedule.polynomialWithWarmup(s.warmupSteps(), totalSteps, s.lr(), 0.0, 1.0));
        Generator order = new Generator(s.seed() * 0x9E3779B97F4A7C15L + 1);
        Checkpoint checkpoint = new Checkpoint(model).optimizer(adam).scheduler(schedule).generator("order", order);
        Path ckptFile = out.resolve(RecModelDirectory.CHECKPOINT);

        int done = 0, bestEpoch = 0, sinceBest = 0;
        double[] best = {0, 0, -1};
        StringBuilder history = new StringBuilder(TrainingListener.EpochRecord.CSV_HEADER).append('\n');
        if (resume && Files.exists(ckptFile)) {
            Map<String, String> extra = checkpoint.load(ckptFile).extra();
            done = Integer.parseInt(extra.get("epoch"));
            bestEpoch = Integer.parseInt(extra.get("bestEpoch"));
            sinceBest = Integer.parseInt(extra.get("sinceBest"));
            String[] b = extra.get("best").split(",");
            for (int i = 0; i < 3; i++) best[i] = Double.parseDouble(b[i]);
            history.setLength(0);
            history.append(extra.get("history"));
        }
        String stopped = done >= s.maxEpochs() ? "reached maxEpochs " + s.maxEpochs()
                : sinceBest >= s.patience() ? "early stop: " + s.patience() + " epochs without a better validation Recall@50" : null;
        listener.started(s, train.size(), empty, updatesPerEpoch, done + 1);

        for (int epoch = done + 1; stopped == null; epoch++) {
            model.train();
            long t0 = System.nanoTime();
            int[] perm = Tensor.randperm(order, train.size()).toIntArray();
            double[] sums = new double[4];
            for (int u = 0; u < updatesPerEpoch; u++) {
                int from = u * perUpdate, to = Math.min(train.size(), from + perUpdate);
                List<int[]> contexts = new ArrayList<>(to - from);
                long[] targets = new long[to - from];
                for (int i = from; i < to; i++) {
                    RecommendationSample r = train.get(perm[i]);
                    contexts.add(r.contextEntities());
                    targets[i - from] = g.itemPosition().get(r.itemEntity());
                }
                // the batch stays on the CPU: each op checks its indices there and uploads what it needs (a device-resident
                // index would cost a bounds-check kernel and a synchronising read per use)
                RecLoss loss = lossOf(model, g, Contexts.of(contexts, s.maxContext(), s.lambda()), Tensor.of(targets, targets.length));
                loss.total().backward();
                adam.step();
                schedule.step();
                adam.zeroGrad();
                double l = loss.total().item();
                sums[0] += l;
                sums[1] += loss.ce().item();
                if (loss.causal() != null) {
                    sums[2] += loss.causal().item();
                    sums[3] += loss.kl().item();
                }
                listener.updated(epoch, u + 1, updatesPerEpoch, l);
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;

            long t1 = System.nanoTime();
            model.eval();
            double[] valid = validate(model, g, data);
            double validSeconds = (System.nanoTime() - t1) / 1e9;
            boolean improved = better(valid, best);
            if (improved) {
                best = valid;
                bestEpoch = epoch;
                sinceBest = 0;
                RecModelDirectory.writeModel(out, model, s);
            } else {
                sinceBest++;
            }
            var record = new TrainingListener.EpochRecord(epoch, sums[0] / updatesPerEpoch, sums[1] / updatesPerEpoch,
                    sums[2] / updatesPerEpoch, sums[3] / updatesPerEpoch, valid[0], valid[1], valid[2], improved, bestEpoch,
                    adam.learningRates()[0], trainSeconds, validSeconds, train.size());
            history.append(record.csv()).append('\n');
            if (epoch >= s.maxEpochs()) stopped = "reached maxEpochs " + s.maxEpochs();
            else if (sinceBest >= s.patience()) stopped = "early stop: " + s.patience() + " epochs without a better validation Recall@50";
            Map<String, String> extra = new HashMap<>();
            extra.put("epoch", Integer.toString(epoch));
            extra.put("bestEpoch", Integer.toString(bestEpoch));
            extra.put("sinceBest", Integer.toString(sinceBest));
            extra.put("best", best[0] + "," + best[1] + "," + best[2]);
            extra.put("history", history.toString());
            checkpoint.save(ckptFile, schedule.steps(), extra);
            AtomicFiles.writeString(out.resolve(RecModelDirectory.HISTORY), history.toString());
            done = epoch;
            listener.epochEnded(record);
        }

        ObjectNode training = JSON.createObjectNode();
        training.put("epochs", done);
        training.put("bestEpoch", bestEpoch);
        training.put("stopped", stopped);
        training.put("trainSamples", train.size());
        training.put("emptyContextsLeftOut", empty);
        ObjectNode v = training.putObject("valid");
        v.put("recall@1", best[0]);
        v.put("recall@10", best[1]);
        v.put("recall@50", best[2]);
        v.put("samples", data.split(Split.VALID).recommendations().size());
        var config = RecModelDirectory.configFor(s, spec, g);
        RecModelDirectory.writeConfig(out, new RecModelDirectory.Config(config.settings(), config.data(), config.entities(),
                config.relations(), config.items(), config.fingerprint(), training));
        return new Result(out, done, bestEpoch, best, stopped);
    }

    /** Higher validation Recall@50; on a tie (frequent on small validation sets), higher Recall@10, then @1. */
    static boolean better(double[] valid, double[] best) {
        for (int i = 2; i >= 0; i--) {
            if (valid[i] != best[i]) return valid[i] > best[i];
        }
        return false;
    }

    /** The loss of one update (see {@link RecLoss#ofBatch}). */
    static RecLoss lossOf(CausalRecModel model, RecGraph g, Contexts c, Tensor targets) {
        return RecLoss.ofBatch(model, g.rgcnGraph(), g.itemIds(), c, targets);
    }

    /** Validation Recall@1, @10, @50, computed as evaluation computes them (popularity for empty contexts). */
    static double[] validate(CausalRecModel model, RecGraph g, PreparedDataset data) {
        var predictions = RecEvaluation.predict(new CausalRecommender(model, g, data), data, Split.VALID);
        int[] ranks = RankingEvaluation.ranks(predictions);
        double[] out = new double[3];
        int[] ks = RankingEvaluation.REDIAL_KS;
        for (int i = 0; i < 3; i++) {
            double sum = 0;
            for (double x : RankMetric.HIT.values(ranks, ks[i])) sum += x;
            out[i] = sum / ranks.length;
        }
        return out;
    }
}

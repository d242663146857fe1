package org.crs4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.crs.rec.CausalRecommender;
import org.crs4j.crs.rec.RecData;
import org.crs4j.crs.rec.RecEvaluation;
import org.crs4j.crs.rec.RecGraph;
import org.crs4j.crs.rec.RecSettings;
import org.crs4j.crs.rec.RecTrainer;
import org.crs4j.crs.rec.TrainingListener;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.Progress;
import org.crs4j.data.prepare.RecommendationSample;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.SafetensorsWriter;

/**
 * The recommender's training epoch and test evaluation, timed on the real code path ({@link RecTrainer},
 * {@link RecEvaluation}), for {@code scripts/bench-rec.sh}, which runs {@code scripts/bench-rec.py} (the same model,
 * loss and update in PyTorch) on the same data in the same run.
 * <pre>
 *   RecTrainEpoch time DATASET DATA_DIR CACHE_DIR PEER_FILE EPOCHS   # writes PEER_FILE, trains EPOCHS epochs, evaluates test
 *   RecTrainEpoch memory DATASET DATA_DIR CACHE_DIR UPDATES          # UPDATES optimizer steps, then exits (for -Xmx bisection)
 * </pre>
 * PEER_FILE holds what the PyTorch script needs: the graph's edges without the self-loop relation, the item entity
 * ids, and the train and test samples (contexts right-padded with -1, targets as item positions).
 */
public final class RecTrainEpoch {
    private RecTrainEpoch() {}

    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    public static void main(String[] args) throws IOException {
        String mode = args[0], dataset = args[1];
        PreparedDataset data = new RecData(dataset, null, null).obtain(Path.of(args[2]), Path.of(args[3]), Progress.NONE);
        RecSettings s = RecSettings.forVariant("full", dataset);
        Path out = Files.createTempDirectory("rec-bench");
        if (mode.equals("memory")) {
            int updates = Integer.parseInt(args[4]);
            try {
                RecTrainer.train(s, new RecData(dataset, null, null), data, out.resolve("m"), new TrainingListener() {
                    int n;

                    @Override
                    public void updated(int epoch, int update, int perEpoch, double loss) {
                        if (++n == updates) throw new Stop();
                    }
                });
            } catch (Stop done) {
                System.out.println("memory: " + updates + " updates done");
            }
            return;
        }
        Path peer = Path.of(args[4]);
        int epochs = Integer.parseInt(args[5]);
        writePeerData(data, peer);
        List<Double> times = new ArrayList<>();
        RecTrainer.train(s.withMaxEpochs(epochs), new RecData(dataset, null, null), data, out.resolve("m"), new TrainingListener() {
            @Override
            public void started(RecSettings st, int samples, int empty, int perEpoch, int first) {
                System.out.printf("crs4j: %s, %d training samples, %d updates of %d per epoch, %d threads%n", dataset, samples, perEpoch,
                        st.samplesPerUpdate(), org.crs4j.tensor.cpu.Parallel.THREADS);
            }

            @Override
            public void epochEnded(EpochRecord r) {
                times.add(r.trainSeconds());
                System.out.printf("crs4j_epoch_seconds %d %.2f%n", r.epoch(), r.trainSeconds());
            }
        });
        CausalRecommender rec = CausalRecommender.load(out.resolve("m"), data);
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            int n = RecEvaluation.predict(rec, data, Split.TEST).size();
            System.out.printf("crs4j_eval_seconds %.3f (%d test samples, top %d)%n", (System.nanoTime() - t0) / 1e9, n, RecEvaluation.TOP);
        }
    }

    static void writePeerData(PreparedDataset data, Path file) throws IOException {
        RecGraph g = RecGraph.of(data);
        var kg = data.graph();
        int e = kg.relationOffsets()[kg.selfLoopRelation()];
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("src", Tensor.of(java.util.Arrays.copyOf(kg.sources(), e), e));
        t.put("dst", Tensor.of(java.util.Arrays.copyOf(kg.destinations(), e), e));
        t.put("rel", Tensor.of(java.util.Arrays.copyOf(kg.edgeRelations(), e), e));
        t.put("items", Tensor.of(g.items().clone(), g.items().length));
        for (Split split : List.of(Split.TRAIN, Split.TEST)) {
            List<RecommendationSample> samples = data.split(split).recommendations().stream()
                    .filter(r -> split != Split.TRAIN || r.contextEntities().length > 0).toList();
            int width = Math.max(1, samples.stream().mapToInt(r -> r.contextEntities().length).max().orElse(1));
            int[] ctx = new int[samples.size() * width], targets = new int[samples.size()];
            java.util.Arrays.fill(ctx, -1);
            for (int i = 0; i < samples.size(); i++) {
                int[] c = samples.get(i).contextEntities();
                System.arraycopy(c, 0, ctx, i * width, c.length);
                targets[i] = g.itemPosition().get(samples.get(i).itemEntity());
            }
            String name = split.label();
            t.put(name + "_contexts", Tensor.of(ctx, samples.size(), width));
            t.put(name + "_targets", Tensor.of(targets, samples.size()));
        }
        SafetensorsWriter.write(file, t, Map.of("nodes", Integer.toString(g.entities()), "relations", Integer.toString(g.relations()),
                "dataset", data.name()));
    }
}

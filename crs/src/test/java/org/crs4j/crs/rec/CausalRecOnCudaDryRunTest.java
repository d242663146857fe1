package org.crs4j.crs.rec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.RecommendationSample;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.optim.Adam;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cuda.GpuLessCuda;
import org.crs4j.tensor.io.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The causal recommender's training "on CUDA", dry-run over a GPU-less CUDA backend ({@link GpuLessCuda}: every
 * host-side step for real, kernels recorded and checked against their PTX signatures, not executed). It shows that
 * {@code crs4j train rec --device cuda} reaches the GPU without CPU-only assumptions: the model moved once, each update
 * uploading only its batch and reading back only the loss, Adam's moments made and kept on the device, checkpoints
 * downloaded when written and loaded back onto the device on resume. Whether the numbers equal the CPU's is the
 * parity check's question on a GPU ({@code CudaBench train-parity}).
 */
class CausalRecOnCudaDryRunTest {
    @TempDir static Path shared;
    @TempDir Path dir;
    static PreparedDataset data;

    @BeforeAll
    static void prepare() {
        TinyDataset.write(shared.resolve("data"), 120, 24, 24);
        data = TinyDataset.prepared(shared.resolve("data"), shared.resolve("cache"));
    }

    /** The first training batch, as RecTrainer makes it: contexts and target positions, on the CPU. */
    private static Object[] batch(RecGraph g, RecSettings s, int size) {
        List<int[]> contexts = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        for (RecommendationSample r : data.split(Split.TRAIN).recommendations()) {
            if (r.contextEntities().length == 0) continue;
            contexts.add(r.contextEntities());
            targets.add((long) g.itemPosition().get(r.itemEntity()));
            if (contexts.size() == size) break;
        }
        long[] t = targets.stream().mapToLong(Long::longValue).toArray();
        return new Object[] {Contexts.of(contexts, s.maxContext(), s.lambda()), Tensor.of(t, t.length)};
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "no-causal", "kbrd"})
    void updatesKeepParametersAndAdamStateOnTheDevice(String variant) {
        RecSettings tiny = TinyDataset.settings(variant, 2); // at dim 64, the parameters outweigh a batch as on real data
        RecSettings s = new RecSettings(variant, 64, tiny.bases(), tiny.relu(), tiny.pooling(), tiny.outputBias(), tiny.lambda(), tiny.maxContext(),
                tiny.causal(), tiny.intervention(), tiny.alpha(), tiny.beta(), tiny.lr(), tiny.batchSize(), tiny.updateFrequency(), tiny.warmupSteps(),
                tiny.maxEpochs(), tiny.patience(), tiny.seed());
        RecGraph g = RecGraph.of(data);
        CausalRecModel model = new CausalRecModel(s, g.entities(), g.relations(), new Generator(s.seed()));
        try (GpuLessCuda cuda = new GpuLessCuda(21)) {
            Device device = cuda.device;
            model.to(device);
            long parameterBytes = model.parameters().stream().mapToLong(p -> p.numel() * 4L).sum();
            Adam adam = new Adam(model.namedParameters(), s.lr());
            Object[] b = batch(g, s, 32);
            Contexts c = (Contexts) b[0];
            Tensor targets = (Tensor) b[1];
            long batchBytes = targets.numel() * 8L + g.itemIds().numel() * 8L;
            for (Tensor t : new Tensor[] {c.ids(), c.weights(), c.lastIds(), c.lastWeights(), c.padding(), c.nonEmpty()}) {
                batchBytes += t.numel() * (long) t.dtype().byteSize();
            }
            long[] uploads = new long[3], downloads = new long[3];
            for (int step = 0; step < 3; step++) {
                long up = cuda.backend.uploads()[1], down = cuda.driver.downloadedBytes.get();
                RecLoss loss = RecTrainer.lossOf(model, g, c, targets);
                assertEquals(device, loss.total().data().device());
                loss.total().backward();
                adam.step();
                adam.zeroGrad();
                loss.total().item(); // what the trainer reads back per update
                uploads[step] = cuda.backend.uploads()[1] - up;
                downloads[step] = cuda.driver.downloadedBytes.get() - down;
            }
            // the first update also uploads the graph (its CSR and sorted destinations are then cached on the device);
            // after it, an update uploads its batch, read by a few ops each, and never a parameter; only the loss comes back
            String figures = variant + ": bytes up per update " + java.util.Arrays.toString(uploads) + ", down "
                    + java.util.Arrays.toString(downloads) + "; batch " + batchBytes + ", parameters " + parameterBytes;
            System.out.println(figures);
            assertEquals(uploads[1], uploads[2], figures);
            assertTrue(uploads[0] > uploads[1], figures);
            assertTrue(uploads[1] <= 3 * batchBytes && uploads[1] < parameterBytes / 4, figures);
            for (long d : downloads) assertEquals(4, d, figures);
            for (Parameter p : model.parameters()) assertEquals(device, p.data().device(), "parameters stay on the device");
            Map<String, Tensor> moments = adam.stateTensors();
            assertEquals(2 * model.parameters().size(), moments.size(), moments.keySet().toString());
            moments.forEach((n, t) -> assertEquals(device, t.device(), n + ": Adam's moments live where the parameter does"));
            Set<String> kernels = new HashSet<>();
            cuda.driver.launches.forEach(l -> kernels.add(l.kernel()));
            for (String k : new String[] {"spmm_f32", "segment_matmul", "segment_transpose_matmul", "index_add_sorted",
                    "index_select", "adam_f32"}) {
                assertTrue(kernels.contains(k), variant + ": " + k + " among " + kernels);
            }
        }
    }

    /**
     * RecTrainer end to end on the device: an epoch, validation, the best weights and a checkpoint written (downloaded
     * from the device), the run stopped there and resumed for its second epoch with the checkpoint loaded back onto the
     * device, then the written model loaded onto the device for scoring. The figures are meaningless here (the kernels
     * did not run); the files' entries and shapes, and where each tensor lives, are not.
     */
    @Test
    void trainingCheckpointsResumesAndLoadsOnTheDevice() throws Exception {
        Path out = dir.resolve("run");
        RecData spec = new RecData("inspired", null, null);
        RecSettings s = TinyDataset.settings("full", 2);
        RecGraph g = RecGraph.of(data);
        try (GpuLessCuda cuda = new GpuLessCuda(22)) {
            TrainingListener killedAfterEpoch1 = new TrainingListener() {
                @Override
                public void epochEnded(EpochRecord record) {
                    throw new IllegalStateException("killed");
                }
            };
            assertThrows(IllegalStateException.class, () -> RecTrainer.train(s, spec, data, out, killedAfterEpoch1, cuda.device));
            CausalRecModel reference = new CausalRecModel(s, g.entities(), g.relations(), new Generator(1));
            try (SafetensorsFile f = SafetensorsFile.open(out.resolve(RecModelDirectory.CHECKPOINT))) {
                for (Map.Entry<String, Parameter> e : reference.namedParameters().entrySet()) {
                    assertArrayEquals(java.util.Arrays.stream(e.getValue().shape()).asLongStream().toArray(), f.info("model." + e.getKey()).shape(), e.getKey());
                    assertTrue(f.contains("optimizer." + e.getKey() + ".exp_avg"), "Adam's state of " + e.getKey() + " in the checkpoint");
                }
            }
            assertTrue(Files.isRegularFile(out.resolve(RecModelDirectory.MODEL)), "epoch 1 is the best so far: its weights are written");
            long launchesBefore = cuda.driver.launches.size();
            RecTrainer.Result resumed = RecTrainer.resume(out, null, data, TrainingListener.NONE, cuda.device);
            assertEquals(2, resumed.epochs());
            assertTrue(cuda.driver.launches.stream().skip(launchesBefore).anyMatch(l -> l.kernel().equals("adam_f32")),
                    "the resumed epoch updated the parameters on the device");
            CausalRecommender rec = RecModelDirectory.open(out).load(data, cuda.device);
            for (Parameter p : rec.model().parameters()) assertEquals(cuda.device, p.data().device());
            assertEquals(g.entities(), rec.scores(new int[] {g.items()[0]}).length);
        }
    }
}

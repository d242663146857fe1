package org.crs4j.crs.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.crs4j.autograd.Variable;
import org.crs4j.crs.rlpf.RlpfTrainer;
import org.crs4j.crs.rlpf.TargetTokenEnvironment;
import org.crs4j.models.t5.T5;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.optim.AdamW;
import org.crs4j.nn.optim.GradClip;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.cuda.GpuLessCuda;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's training "on CUDA" — a supervised fine-tuning step (teacher-forced T5 loss with dropout, clipping,
 * AdamW) and an RLPF update (sampling episodes, then {@code logProbs} with backprop on the exact sampled ids) — dry-run
 * over a GPU-less CUDA backend ({@link GpuLessCuda}: host-side work for real, kernels recorded and checked against their
 * PTX signatures, not run). It shows that {@code crs4j train controller|rlpf --device cuda} reach the GPU without
 * CPU-only assumptions: parameters and optimizer moments stay there, an update uploads its token ids, masks and
 * positions but never a weight, and reads back only scalars. Whether the numbers match the CPU's needs a GPU.
 */
class ControllerOnCudaDryRunTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private static long bytes(T5 lm) {
        return lm.module().parameters().stream().mapToLong(p -> p.numel() * 4L).sum();
    }

    private static void assertOnDevice(T5 lm, AdamW opt, Device device) {
        for (Parameter p : lm.module().parameters()) assertEquals(device, p.data().device(), "parameters stay on the device");
        assertEquals(2 * lm.module().parameters().size(), opt.stateTensors().size(), opt.stateTensors().keySet().toString());
        opt.stateTensors().forEach((n, t) -> assertEquals(device, t.device(), n + ": AdamW's moments live where the parameter does"));
    }

    @Test
    void aFineTuningStepWithDropoutRunsOnTheDevice(@TempDir Path tmp) throws Exception {
        Generator dropout = new Generator(4);
        T5 lm = ControllerModels.create(tmp, TinyT5.config(tmp.resolve("cfg"), 64, 4, 16, 128, 2, 0.1), TinyT5.tokenizer(), dropout);
        List<Pair> pairs = SftTrainerTest.reverseTask(8, 0, 3).get(0);
        int[][] prompts = new int[pairs.size()][], targets = new int[pairs.size()][];
        for (int i = 0; i < pairs.size(); i++) {
            prompts[i] = lm.encodePrompt(pairs.get(i).prompt());
            targets[i] = lm.encodeTarget(pairs.get(i).target());
        }
        try (GpuLessCuda cuda = new GpuLessCuda(41)) {
            lm.module().to(cuda.device);
            AdamW opt = new AdamW(lm.module().namedParameters(), 1e-3, 0.01);
            long[] up = new long[2], down = new long[2];
            for (int step = 0; step < 2; step++) {
                long u0 = cuda.backend.uploads()[1], d0 = cuda.driver.downloadedBytes.get();
                lm.module().train();
                Variable loss = lm.loss(prompts, targets);
                assertEquals(cuda.device, loss.data().device());
                loss.backward();
                GradClip.clipGradNorm(lm.module().parameters(), 1.0);
                opt.step();
                opt.zeroGrad();
                loss.item();
                up[step] = cuda.backend.uploads()[1] - u0;
                down[step] = cuda.driver.downloadedBytes.get() - d0;
            }
            String figures = "bytes up per step " + java.util.Arrays.toString(up) + ", down " + java.util.Arrays.toString(down)
                    + "; parameters " + bytes(lm);
            System.out.println("T5 SFT dry run: " + figures);
            for (int step = 0; step < 2; step++) {
                assertTrue(up[step] < bytes(lm) / 4, figures);
                // two scalars: the loss, and the gradients' global norm for clipping (combined on the device)
                assertEquals(8, down[step], figures);
            }
            assertOnDevice(lm, opt, cuda.device);
            java.util.Set<String> kernels = new java.util.HashSet<>();
            cuda.driver.launches.forEach(l -> kernels.add(l.kernel()));
            for (String k : new String[] {"random_fill", "norm_f32", "adam_f32", "index_select"}) {
                assertTrue(kernels.contains(k), k + " among " + kernels);
            }
        }
    }

    /** SftTrainer itself on the device: it saves the model and its state from there, and a resumed run loads back onto it. */
    @Test
    void theFineTuningRunSavesAndResumesOnTheDevice(@TempDir Path tmp) throws Exception {
        List<Pair> pairs = SftTrainerTest.reverseTask(12, 0, 5).get(0);
        SftTrainer.Settings s = new SftTrainer.Settings(1, 4, 1e-3, 0.01, 1.0, 0, 32, 16, 1, 1000, 0);
        Path out = tmp.resolve("out");
        try (GpuLessCuda cuda = new GpuLessCuda(42)) {
            Generator dropout = new Generator(4);
            T5 lm = ControllerModels.create(out, TinyT5.config(tmp.resolve("cfg"), 32, 2, 16, 64, 1, 0.1), TinyT5.tokenizer(), dropout);
            lm.module().to(cuda.device);
            assertEquals(1, new SftTrainer(lm, dropout, pairs, List.of(), s, out, QUIET).run(false, 1).steps());
            assertTrue(Files.isRegularFile(out.resolve("model.safetensors")) && Files.isRegularFile(out.resolve(SftTrainer.STATE)));

            Generator again = new Generator(4);
            T5 second = ControllerModels.rebuild(out, again);
            second.module().to(cuda.device);
            int before = cuda.driver.launches.size();
            assertEquals(3, new SftTrainer(second, again, pairs, List.of(), s, out, QUIET).run(true).steps());
            for (Parameter p : second.module().parameters()) assertEquals(cuda.device, p.data().device(), "still on the device after resuming");
            assertTrue(cuda.driver.launches.stream().skip(before).anyMatch(l -> l.kernel().equals("adam_f32")), "the resumed steps updated on the device");
        }
    }

    @Test
    void anRlpfUpdateRunsOnTheDevice() throws Exception {
        T5 lm = TinyT5.inMemory(64, 128, 2, 3);
        List<String> prompts = List.of("abc", "de", "fgh", "ij");
        int target = lm.tokenizer().pieceId("z");
        // the rewards (0: the dry run samples no z) differ from the baseline's start (0.5), so the step updates
        RlpfTrainer.Settings s = RlpfTrainer.Settings.defaults(1, 4).withLambda(1).withOptimizer(1e-2, 0, 1.0)
                .withSampling(1, 1, 3).withBaseline(0.1, 0.5);
        try (GpuLessCuda cuda = new GpuLessCuda(43)) {
            lm.module().to(cuda.device);
            RlpfTrainer trainer = new RlpfTrainer(lm, new TargetTokenEnvironment(prompts, target, "z", 1), s, null, QUIET);
            long u0 = cuda.backend.uploads()[1], d0 = cuda.driver.downloadedBytes.get();
            RlpfTrainer.StepResult r = trainer.step(0);
            long up = cuda.backend.uploads()[1] - u0, down = cuda.driver.downloadedBytes.get() - d0;
            assertTrue(r.updated(), "the step updated the policy");
            String figures = "bytes up " + up + ", down " + down + "; parameters " + bytes(lm);
            System.out.println("RLPF update dry run: " + figures);
            assertTrue(up < bytes(lm) / 4, figures);
            assertTrue(down < bytes(lm) / 4, figures); // sampled ids, log-probabilities and norms, never the weights
            assertOnDevice(lm, trainer.optimizer(), cuda.device);
            java.util.Set<String> kernels = new java.util.HashSet<>();
            cuda.driver.launches.forEach(l -> kernels.add(l.kernel()));
            // sampling decodes with the matrix-vector and split-key kernels; logProbs backpropagates through the tiled ones
            for (String k : new String[] {"matvec_rows", "attention_decode", "attention_backward_dq_32", "adam_f32"}) {
                assertTrue(kernels.contains(k), k + " among " + kernels);
            }
        }
    }
}

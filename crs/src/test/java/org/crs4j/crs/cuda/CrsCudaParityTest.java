package org.crs4j.crs.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.crs4j.autograd.Variable;
import org.crs4j.crs.controller.TinyT5;
import org.crs4j.crs.rec.CausalRecModel;
import org.crs4j.crs.rec.Contexts;
import org.crs4j.crs.rec.RecLoss;
import org.crs4j.crs.rec.RecSettings;
import org.crs4j.crs.rlpf.Reinforce;
import org.crs4j.crs.rlpf.Sample;
import org.crs4j.models.t5.T5;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.graph.RelationalGraph;
import org.crs4j.nn.optim.Adam;
import org.crs4j.nn.optim.AdamW;
import org.crs4j.nn.optim.GradClip;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cuda.CudaProbe;
import org.crs4j.tensor.io.SafetensorsFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a GPU only (skipped elsewhere with the reason printed; {@code scripts/cuda-device-check.sh} runs it): the crs
 * training steps that {@code --device cuda} runs give the CPU's numbers.
 * <ul>
 *   <li>the causal recommender (seed 003's full variant, dim 128, 8 bases) on ReDial's DBpedia graph (the carried
 *       {@code graphs/rgcn-graph.safetensors}, else a random graph of the same size): the first 100 Adam updates of 128
 *       synthetic contexts each, losses within 1e-3 relative of the CPU's at every step;</li>
 *   <li>a T5 controller: 20 teacher-forced AdamW steps with clipping, losses within 1e-3 relative;</li>
 *   <li>an RLPF update: REINFORCE's surrogate loss and gradient norm on fixed sampled ids, within 1e-4 relative.</li>
 * </ul>
 * Both sides start from the same weights (built on the CPU, then moved), and read the same batches.
 */
class CrsCudaParityTest {
    static final Device CUDA = Device.cuda(0);

    @BeforeAll
    static void needsCuda() {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.usable()) {
            System.out.println("CrsCudaParityTest skipped: CUDA not usable: " + probe.reason());
            Assumptions.abort("CUDA not usable: " + probe.reason());
        }
    }

    private static void assertClose(double[] cpu, double[] gpu, double rel, String what) {
        double worst = 0;
        for (int i = 0; i < cpu.length; i++) {
            double d = Math.abs(gpu[i] - cpu[i]) / Math.max(1e-6, Math.abs(cpu[i]));
            worst = Math.max(worst, d);
            assertTrue(d <= rel, what + ": step " + i + " CPU " + cpu[i] + ", GPU " + gpu[i] + " (relative " + d + ")");
        }
        System.out.printf("%s: %d values, largest relative difference GPU vs CPU %.3g (bound %.0g)%n", what, cpu.length, worst, rel);
    }

    // ------------------------------------------------------------------ the recommender

    private static RelationalGraph redialGraph() throws IOException {
        String root = System.getProperty("crs4j.shared");
        Path file = root == null ? null : Path.of(root, "graphs", "rgcn-graph.safetensors");
        if (file != null && Files.isRegularFile(file)) {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                Map<String, String> meta = f.metadata();
                System.out.println("recommender parity on " + file);
                return RelationalGraph.fromEdges(Integer.parseInt(meta.get("nodes")), Integer.parseInt(meta.get("relations")),
                        f.tensor("src").toIntArray(), f.tensor("dst").toIntArray(), f.tensor("rel").toIntArray());
            }
        }
        SplittableRandom r = new SplittableRandom(3);
        int nodes = 31_161, relations = 24, edges = 162_642;
        int[] src = new int[edges], dst = new int[edges], rel = new int[edges];
        for (int e = 0; e < edges; e++) {
            src[e] = r.nextInt(nodes);
            dst[e] = r.nextInt(nodes);
            rel[e] = r.nextInt(relations);
        }
        System.out.println("recommender parity on a random graph of ReDial's size (no graphs/rgcn-graph.safetensors under crs4j.shared)");
        return RelationalGraph.fromEdges(nodes, relations, src, dst, rel);
    }

    /** The losses of {@code steps} updates on {@code device}, over batches drawn from a fixed seed. */
    static double[] recommenderLosses(Device device, RelationalGraph graph, int steps) {
        RecSettings s = RecSettings.forVariant("full");
        int items = graph.numNodes() / 5; // ReDial: 6,924 movies among 31,161 entities
        long[] itemIdArray = new long[items];
        for (int i = 0; i < items; i++) itemIdArray[i] = 5L * i;
        Tensor itemIds = Tensor.of(itemIdArray, items);
        CausalRecModel model = new CausalRecModel(s, graph.numNodes(), graph.numRelations(), new org.crs4j.tensor.Generator(1));
        model.to(device);
        Adam adam = new Adam(model.namedParameters(), 1e-3);
        SplittableRandom r = new SplittableRandom(11);
        double[] losses = new double[steps];
        for (int step = 0; step < steps; step++) {
            List<int[]> contexts = new ArrayList<>();
            long[] targets = new long[128];
            for (int b = 0; b < 128; b++) {
                int[] c = new int[1 + r.nextInt(12)];
                for (int j = 0; j < c.length; j++) c[j] = r.nextInt(graph.numNodes());
                contexts.add(c);
                targets[b] = (7L * c[c.length - 1]) % items; // learnable from the most recent entity
            }
            RecLoss loss = RecLoss.ofBatch(model, graph, itemIds, Contexts.of(contexts, s.maxContext(), s.lambda()),
                    Tensor.of(targets, targets.length));
            loss.total().backward();
            adam.step();
            adam.zeroGrad();
            losses[step] = loss.total().item();
        }
        return losses;
    }

    @Test
    void theRecommendersFirst100UpdatesGiveTheCpusLosses() throws IOException {
        RelationalGraph graph = redialGraph();
        long t0 = System.nanoTime();
        double[] cpu = recommenderLosses(Device.CPU, graph, 100);
        long t1 = System.nanoTime();
        double[] gpu = recommenderLosses(CUDA, graph, 100);
        long t2 = System.nanoTime();
        System.out.printf("recommender, 100 updates of 128 samples: CPU %.1f s, GPU %.1f s (one run each, including the first"
                + " update's uploads and the PTX JIT)%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        System.out.printf("recommender loss, CPU: %.5f at the first update, %.5f at the last%n", cpu[0], cpu[cpu.length - 1]);
        assertClose(cpu, gpu, 1e-3, "recommender (full) losses");
    }

    // ------------------------------------------------------------------ the controller

    private static int[][][] pairs(T5 lm, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] prompts = new int[n][], targets = new int[n][];
        for (int i = 0; i < n; i++) {
            StringBuilder p = new StringBuilder(), t = new StringBuilder();
            for (int j = 0; j < 2 + r.nextInt(6); j++) p.append((char) ('a' + r.nextInt(8)));
            t.append(new StringBuilder(p).reverse());
            prompts[i] = lm.encodePrompt(p.toString());
            targets[i] = lm.encodeTarget(t.toString());
        }
        return new int[][][] {prompts, targets};
    }

    static double[] sftLosses(Device device, int steps) throws IOException {
        T5 lm = TinyT5.inMemory(64, 128, 2, 7);
        lm.module().to(device);
        AdamW opt = new AdamW(lm.module().namedParameters(), 3e-3, 0.01);
        double[] losses = new double[steps];
        for (int step = 0; step < steps; step++) {
            int[][][] batch = pairs(lm, 16, step);
            lm.module().train();
            Variable loss = lm.loss(batch[0], batch[1]);
            loss.backward();
            GradClip.clipGradNorm(lm.module().parameters(), 1.0);
            opt.step();
            opt.zeroGrad();
            losses[step] = loss.item();
        }
        return losses;
    }

    @Test
    void controllerFineTuningGivesTheCpusLosses() throws IOException {
        assertClose(sftLosses(Device.CPU, 20), sftLosses(CUDA, 20), 1e-3, "T5 SFT losses");
    }

    /** {loss, gradient norm} of one REINFORCE update on fixed sampled ids. */
    static double[] reinforce(Device device) throws IOException {
        T5 lm = TinyT5.inMemory(64, 128, 2, 9);
        lm.module().to(device);
        lm.module().eval();
        int[][][] p = pairs(lm, 8, 99);
        List<Reinforce.Episode> episodes = new ArrayList<>();
        for (int i = 0; i < 8; i += 2) {
            episodes.add(new Reinforce.Episode(List.of(new Sample("a", p[0][i], p[1][i]), new Sample("b", p[0][i + 1], p[1][i + 1])),
                    i % 4 == 0 ? 1.0 : 0.0));
        }
        double loss = Reinforce.backward(lm, episodes, 0.4, 3);
        double norm = GradClip.clipGradNorm(lm.module().parameters(), Double.POSITIVE_INFINITY);
        for (Parameter q : lm.module().parameters()) assertEquals(device, q.data().device());
        return new double[] {loss, norm};
    }

    @Test
    void anRlpfUpdateGivesTheCpusLossAndGradient() throws IOException {
        assertClose(reinforce(Device.CPU), reinforce(CUDA), 1e-4, "RLPF surrogate loss and gradient norm");
    }
}

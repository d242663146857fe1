package org.crs4j.nn.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.crs4j.autograd.Variable;
import org.crs4j.nn.Linear;
import org.crs4j.nn.Module;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.graph.RGCN;
import org.crs4j.nn.graph.RelationalGraph;
import org.crs4j.nn.loss.Losses;
import org.crs4j.nn.optim.Adam;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cuda.GpuLessCuda;
import org.junit.jupiter.api.Test;

/**
 * A recommender-shaped training step — R-GCN with bases over a relational graph, a linear scorer, cross-entropy,
 * backward, Adam — with the module moved to CUDA by {@code Module.to}, dry-run over a GPU-less CUDA backend (kernels
 * recorded, not run; see {@link GpuLessCuda}). It shows the training code reaches CUDA unchanged: parameters and
 * optimizer state stay on the device across steps, every op dispatches to kernels whose arguments fit their PTX
 * signatures, and per step only the CPU-made inputs (graph indices, targets) are uploaded, never the parameters.
 */
class TrainingOnCudaDryRunTest {

    static final class Model extends Module {
        final RGCN rgcn;
        final Linear scorer;

        Model(int nodes, int relations, int dim, Generator rng) {
            rgcn = child("rgcn", RGCN.builder(dim, dim, relations).bases(3).build(rng));
            scorer = child("scorer", new Linear(dim, nodes, true, rng));
        }
    }

    @Test
    void anRgcnTrainingStepRunsOnCudaUnchanged() {
        SplittableRandom r = new SplittableRandom(4);
        int nodes = 40, relations = 5, edges = 200, dim = 64;
        int[] src = new int[edges], dst = new int[edges], rel = new int[edges];
        for (int e = 0; e < edges; e++) {
            src[e] = r.nextInt(nodes);
            dst[e] = r.nextInt(nodes);
            rel[e] = r.nextInt(relations);
        }
        RelationalGraph graph = RelationalGraph.fromEdges(nodes, relations, src, dst, rel);
        Generator rng = new Generator(1);
        Model model = new Model(nodes, relations, dim, rng);
        try (GpuLessCuda cuda = new GpuLessCuda(14)) {
            Device device = cuda.device;
            model.to(device);
            assertEquals(device, model.device());
            for (Parameter p : model.parameters()) assertEquals(device, p.data().device());
            long parameterBytes = model.parameters().stream().mapToLong(p -> p.numel() * 4L).sum();
            Tensor features = Tensor.randn(rng, nodes, dim).toDevice(device);
            Tensor targets = Tensor.of(new long[] {3, 17, 29, 3}, 4);
            Tensor users = Tensor.of(new long[] {0, 5, 9, 39}, 4);
            Adam adam = new Adam(model.namedParameters(), 1e-3);
            for (int step = 0; step < 3; step++) {
                long before = cuda.backend.uploads()[1];
                adam.zeroGrad();
                Variable h = model.rgcn.forward(Variable.constant(features), graph).relu();
                Variable logits = model.scorer.forward(h.indexSelect(0, users));
                Variable loss = Losses.crossEntropy(logits, targets);
                assertEquals(device, loss.data().device());
                loss.backward();
                adam.step();
                long uploaded = cuda.backend.uploads()[1] - before;
                assertTrue(uploaded < parameterBytes / 4, "step " + step + " uploaded " + uploaded + " bytes; parameters are "
                        + parameterBytes + " and must stay on the device");
            }
            for (Parameter p : model.parameters()) {
                assertEquals(device, p.data().device(), "parameters stay on the device after Adam");
                assertEquals(DType.F32, p.data().dtype());
            }
            java.util.Set<String> kernels = new java.util.HashSet<>();
            cuda.driver.launches.forEach(l -> kernels.add(l.kernel()));
            for (String k : new String[] {"spmm_f32", "segment_matmul", "index_add_sorted", "segment_transpose_matmul", "adam_f32",
                    "softmax_f32", "index_select"}) {
                assertTrue(kernels.contains(k), k + " among " + kernels);
            }
        }
    }
}

package org.crs4j.models.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Set;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.llama.LlamaConfig;
import org.crs4j.models.llama.LlamaModel;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.cuda.GpuLessCuda;
import org.junit.jupiter.api.Test;

/**
 * LLaMA generation with the model moved to CUDA ({@code Module.to}), dry-run over a GPU-less CUDA backend (kernels
 * recorded, not run; see {@link GpuLessCuda}): the decoding session, KV cache, masks, rotary angles, sampling and
 * beam search reach CUDA without CPU-only assumptions, BF16 weights stay BF16 on the device, decoding takes the
 * matrix-vector and split-key attention kernels, and per token only the CPU-made inputs are uploaded, never weights.
 * Whether the tokens equal the CPU's is {@code CudaGenerationParityTest}'s question, on a GPU.
 */
class GenerationOnCudaDryRunTest {

    @Test
    void greedyAndBeamDecodingReachCudaWithTheWeightsLeftThere() {
        LlamaConfig c = new LlamaConfig(64, 32, 48, 2, 4, 2, 8, 1e-5, 10000, null, RotaryEmbedding.Pairing.HALF, 128,
                false, 1, new int[] {2}, -1, false, false);
        LlamaModel model = new LlamaModel(c, new Generator(3));
        model.namedParameters().forEach((n, p) -> p.set(p.data().to(DType.BF16))); // a BF16 checkpoint
        try (GpuLessCuda cuda = new GpuLessCuda(13)) {
            model.to(cuda.device);
            for (Parameter p : model.parameters()) {
                assertEquals(cuda.device, p.data().device());
                assertEquals(DType.BF16, p.data().dtype(), "weights keep their dtype on the device");
            }
            long weightBytes = model.parameters().stream().mapToLong(p -> p.numel() * 2L).sum();
            int[][] prompts = {{1, 5, 9, 13}, {1, 7}};
            long before = cuda.backend.uploads()[1];
            int[][] out = Generation.generate(model, prompts, GenerationConfig.greedy(6), (row, token) -> {});
            long uploaded = cuda.backend.uploads()[1] - before;
            assertEquals(2, out.length);
            assertTrue(uploaded < weightBytes / 4, uploaded + " bytes uploaded for 2 x 6 tokens; weights are " + weightBytes);
            Generation.beamSearch(model, new int[] {1, 5, 9}, GenerationConfig.greedy(4).withBeams(3, 1.0));
            Generation.generate(model, prompts, GenerationConfig.greedy(4).withTemperature(0.8).withTopK(10).withSeed(5),
                    (row, token) -> {});
            Set<String> kernels = new HashSet<>();
            cuda.driver.launches.forEach(l -> kernels.add(l.kernel()));
            for (String k : new String[] {"matvec_rows", "attention_decode", "attention_combine", "rope_f32", "norm_f32",
                    "index_select", "unary", "binary"}) {
                assertTrue(kernels.contains(k), k + " among " + kernels);
            }
        }
    }
}

package org.crs4j.models.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.cuda.CudaProbe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * stories260K (the shared llama2.c checkpoint, Hugging Face export) generates the same greedy tokens on the GPU as on
 * the CPU, from F32 and from BF16 weights, alone and as a padded batch. Runs where CUDA is usable and ../shared is
 * present; elsewhere skipped with the reason printed.
 */
class CudaGenerationParityTest {

    static Path stories(String variant) {
        String root = System.getProperty("crs4j.shared");
        Path p = root == null ? null : Path.of(root, "models", "stories260K", variant);
        return p != null && Files.isDirectory(p) ? p : null;
    }

    @Test
    void greedyTokensOnTheGpuEqualTheCpus() throws Exception {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.usable()) System.out.println("CudaGenerationParityTest skipped: CUDA not usable: " + probe.reason());
        Assumptions.assumeTrue(probe.usable(), () -> "CUDA not usable: " + probe.reason());
        for (String variant : new String[] {"hf", "hf-bf16-sharded"}) {
            Path dir = stories(variant);
            if (dir == null) System.out.println("CudaGenerationParityTest: no stories260K/" + variant + " under crs4j.shared");
            Assumptions.assumeTrue(dir != null, "stories260K/" + variant + " not found under crs4j.shared");
            try (LanguageModel lm = LanguageModels.load(dir)) {
                int[][] prompts = {lm.encodePrompt("Once upon a time"), lm.encodePrompt("Lily and Ben went to the park. They")};
                GenerationConfig greedy = GenerationConfig.greedy(100).withStopTokens();
                int[][] cpu = new int[prompts.length][], gpu;
                for (int i = 0; i < prompts.length; i++) cpu[i] = Generation.generate(lm.decoder(), new int[][] {prompts[i]}, greedy, (r, t) -> {})[0];
                int[][] cpuBatch = Generation.generate(lm.decoder(), prompts, greedy, (r, t) -> {});
                lm.module().to(Device.cuda(0));
                for (int i = 0; i < prompts.length; i++) {
                    gpu = Generation.generate(lm.decoder(), new int[][] {prompts[i]}, greedy, (r, t) -> {});
                    assertArrayEquals(cpu[i], gpu[0], variant + ": prompt " + i + ", 100 greedy tokens");
                }
                int[][] gpuBatch = Generation.generate(lm.decoder(), prompts, greedy, (r, t) -> {});
                for (int i = 0; i < prompts.length; i++) assertArrayEquals(cpuBatch[i], gpuBatch[i], variant + ": padded batch row " + i);
            }
        }
    }
}

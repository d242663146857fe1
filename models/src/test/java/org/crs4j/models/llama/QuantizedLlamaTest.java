package org.crs4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.crs4j.autograd.GradMode;
import org.crs4j.models.Quantization;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LLaMA loaded with {@link Quantization#Q8}: which tensors are quantized, that the model no longer needs its files, and
 * how close it stays to the unquantized model — on stories260K (greedy tokens against the F32 reference, logits) and
 * on the PyTorch fixture variants (logits).
 */
class QuantizedLlamaTest {
    @TempDir Path tmp;

    private static Tensor logits(Llama llama, int[] ids) {
        try (var off = GradMode.off()) {
            return llama.model().forward(Tensor.of(Arrays.stream(ids).asLongStream().toArray(), 1, ids.length), null, null, null)
                    .data().select(0, 0);
        }
    }

    /** Largest |a - b| over all positions and the vocabulary, and the largest |a| (the logits' scale). */
    private static double[] maxError(Tensor a, Tensor b) {
        return new double[] {a.sub(b).abs().max().item(), a.abs().max().item()};
    }

    private static void checkHolding(Llama llama) {
        for (Map.Entry<String, Tensor> e : llama.model().stateDict().entrySet()) {
            Tensor t = e.getValue();
            boolean matrix = t.dim() == 2 && t.size(1) >= 32;
            assertEquals(matrix ? DType.Q8_0 : DType.F32, t.dtype(), e.getKey());
            CpuStorage s = (CpuStorage) t.storage();
            assertTrue(matrix ? s.segment().isNative() && s.scales() != null : s.floats() != null, e.getKey() + " is an in-memory copy");
        }
    }

    @Test
    void stories260KQuantizedStaysCloseToTheF32Model() throws Exception {
        Path dir = SharedModels.stories260K();
        JsonNode ref = SharedModels.reference();
        int[] want = SharedModels.ints(ref.get("greedy_from_bos").get("output_ids")); // BOS + 256 tokens, F32 reference
        int[] prompt = SharedModels.ints(ref.get("prompt").get("input_ids"));
        for (String form : new String[] {"hf", "stories260K.bin", "hf-bf16-sharded"}) {
            Path source = dir.resolve(form);
            try (Llama f = Llama.load(source, dir.resolve("tok512.bin"));
                 Llama q = Llama.load(source, dir.resolve("tok512.bin"), Quantization.Q8)) {
                checkHolding(q);
                int[] got = Generation.generate(q.model(), new int[][] {{1}}, GenerationConfig.greedy(256), null)[0];
                int same = 0;
                while (same < got.length && got[same] == want[same + 1]) same++;
                double[] err = maxError(logits(q, prompt), logits(f, prompt));
                // Teacher-forced on the reference's own 256 tokens: at how many positions does the argmax agree?
                Tensor lq = logits(q, Arrays.copyOf(want, 256)), lf = logits(f, Arrays.copyOf(want, 256));
                long agree = Arrays.stream(lq.argmax(-1, false).sub(lf.argmax(-1, false)).abs().toLongArray()).filter(d -> d == 0).count();
                double[] errAll = maxError(lq, lf);
                System.out.printf("stories260K %s, Q8_0: greedy from BOS identical to the F32 reference for %d of 256 tokens;"
                                + " teacher-forced argmax agrees at %d of 256 positions; max |logit error| %.4f (prompt) %.4f"
                                + " (256 positions), logits up to %.1f%n", form, same, agree, err[0], errAll[0], errAll[1]);
                assertTrue(same >= 20, form + ": greedy tokens diverge from the F32 reference after " + same);
                assertTrue(agree >= 240, form + ": argmax agrees at only " + agree + " of 256 positions");
                assertTrue(errAll[0] < 0.05 * errAll[1], form + ": logit error " + errAll[0] + " against logits up to " + errAll[1]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"untied-gqa", "mqa-llama3", "linear-tied", "headdim-bias", "f16"})
    void fixtureVariantsQuantizedKeepTheirLogits(String variant) throws Exception {
        Path dir = PyTorchFixturesTest.fixture(variant);
        int[] prompt = SharedModels.ints(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("reference.json").toFile()).get("prompt_ids"));
        try (Llama f = Llama.load(dir); Llama q = Llama.load(dir, null, Quantization.Q8)) {
            checkHolding(q);
            double[] err = maxError(logits(q, prompt), logits(f, prompt));
            System.out.printf("%s, Q8_0: max |logit error| %.4f, logits up to %.2f%n", variant, err[0], err[1]);
            assertTrue(err[0] < 0.05 * err[1], variant + ": logit error " + err[0] + " against logits up to " + err[1]);
        }
    }

    @Test
    void quantizedModelNeedsNoFileAndRejectsNonFiniteWeights() throws Exception {
        Path src = PyTorchFixturesTest.fixture("linear-tied"), copy = tmp.resolve("model");
        Files.createDirectories(copy);
        try (var files = Files.list(src)) {
            for (Path p : files.toList()) Files.copy(p, copy.resolve(p.getFileName()));
        }
        int[] prompt = {1, 5, 7, 9};
        Tensor before;
        try (Llama q = Llama.load(copy, null, Quantization.Q8)) {
            before = logits(q, prompt);
            // the checkpoint's files are no longer needed: delete them, the model still runs
            try (var files = Files.list(copy)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            assertEquals(0, before.sub(logits(q, prompt)).abs().max().item());
        }
        // a NaN weight cannot be quantized: the error names the file and the tensor
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        try (var files = Files.list(src)) {
            for (Path p : files.toList()) Files.copy(p, bad.resolve(p.getFileName()));
        }
        Map<String, Tensor> w;
        try (Llama f = Llama.load(bad)) {
            w = new java.util.LinkedHashMap<>();
            for (var e : f.model().stateDict().entrySet()) w.put(e.getKey(), e.getValue().to(DType.F32).copy());
        }
        String name = "model.layers.0.mlp.up_proj.weight";
        w.get(name).narrow(0, 1, 1).fill(Double.NaN);
        Path st = Files.list(bad).filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow();
        org.crs4j.tensor.io.SafetensorsWriter.write(st, w);
        IOException e = assertThrows(IOException.class, () -> Llama.load(bad, null, Quantization.Q8));
        assertTrue(e.getMessage().contains(st.getFileName().toString()) && e.getMessage().contains(name), e.getMessage());
    }
}

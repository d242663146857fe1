package org.crs4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import org.crs4j.autograd.GradMode;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LLaMA variants stories260K does not cover, against float64 PyTorch references of Hugging Face's forward pass
 * (scripts/make_llama_fixtures.py): untied head, MQA, llama3 / linear / dynamic RoPE scaling, explicit head_dim with
 * biases, F16 weights. F32 logits within 1e-4 at every position; greedy continuations token for token.
 */
class PyTorchFixturesTest {

    static Path fixture(String name) throws Exception {
        return Path.of(PyTorchFixturesTest.class.getResource("fixtures/" + name + "/config.json").toURI()).getParent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"untied-gqa", "mqa-llama3", "linear-tied", "dynamic", "headdim-bias", "f16"})
    void logitsGreedyAndLogProbMatchPyTorch(String variant) throws Exception {
        Path dir = fixture(variant);
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        try (Llama llama = Llama.load(dir)) {
            LlamaConfig c = llama.config();
            switch (variant) {
                case "untied-gqa" -> assertEquals(false, c.tieWordEmbeddings());
                case "mqa-llama3" -> {
                    assertEquals(1, c.numKvHeads());
                    assertTrue(c.ropeScaling() instanceof RotaryEmbedding.Scaling.Llama3);
                    assertArrayEquals(new int[] {2, 5}, c.eosTokenIds());
                    assertArrayEquals(new int[] {2, 5}, llama.defaults().stopTokens());
                }
                case "linear-tied" -> assertTrue(c.tieWordEmbeddings() && c.ropeScaling() instanceof RotaryEmbedding.Scaling.Linear);
                case "dynamic" -> assertTrue(c.ropeScaling() instanceof RotaryEmbedding.Scaling.Dynamic);
                case "headdim-bias" -> assertTrue(c.headDim() == 12 && c.attentionBias() && c.mlpBias());
                case "f16" -> assertEquals(DType.F16, llama.model().outputWeight().dtype());
                default -> throw new IllegalStateException(variant);
            }
            int[] prompt = SharedModels.ints(ref.get("prompt_ids"));
            Tensor logits;
            try (var off = GradMode.off()) {
                logits = llama.model().forward(Tensor.of(Arrays.stream(prompt).asLongStream().toArray(), 1, prompt.length),
                        null, null, null).data().select(0, 0);
            }
            JsonNode want = ref.get("logits");
            double maxErr = 0;
            for (int t = 0; t < prompt.length; t++) {
                float[] row = logits.select(0, t).toFloatArray();
                for (int v = 0; v < row.length; v++) maxErr = Math.max(maxErr, Math.abs(row[v] - want.get(t).get(v).asDouble()));
            }
            assertTrue(maxErr < 1e-4, variant + ": logits differ from PyTorch by up to " + maxErr);
            System.out.printf("%s: max |logit - PyTorch| = %.2e%n", variant, maxErr);
            if (ref.has("greedy_12")) {
                int[] got = Generation.generate(llama.model(), new int[][] {prompt}, GenerationConfig.greedy(12), null)[0];
                assertArrayEquals(SharedModels.ints(ref.get("greedy_12")), got, variant + ": greedy continuation");
                double lp = LlamaScoring.logProb(llama.model(), prompt, SharedModels.ints(ref.get("continuation_ids"))).item();
                assertEquals(ref.get("continuation_log_prob").asDouble(), lp, 1e-4, variant + ": log-probability of a continuation");
            }
        }
    }
}

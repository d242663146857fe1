package org.crs4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.transformer.FeedForward;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * T5 against an independent float64 PyTorch forward pass written from Hugging Face's modeling_t5.py semantics
 * (scripts/make_t5_fixtures.py; transformers itself is not installable here): v1.1 gated-GELU untied, original ReLU
 * tied with the d_model^-0.5 rescale (embeddings under the encoder/decoder aliases only), and a BF16 checkpoint in
 * three shards. Encoder output and teacher-forced logits within 1e-4, greedy ids identical (cached decoding against
 * full recomputation, each prompt alone and the three as one padded batch), text identical, log-probability and
 * batch loss within 1e-5 relative, gradients of the loss within 1e-4 of PyTorch's autograd.
 */
class PyTorchParityTest {
    static final List<String> VARIANTS = List.of("v1_1", "original", "sharded-bf16");

    static Path fixture(String name) throws Exception {
        return Path.of(PyTorchParityTest.class.getResource("fixtures/" + name + "/config.json").toURI()).getParent();
    }

    static JsonNode reference(String name) throws Exception {
        return new ObjectMapper().readTree(fixture(name).resolve("reference.json").toFile());
    }

    static int[] ints(JsonNode array) {
        int[] a = new int[array.size()];
        for (int i = 0; i < a.length; i++) a[i] = array.get(i).asInt();
        return a;
    }

    static long[] longs2d(JsonNode rows) {
        int b = rows.size(), t = rows.get(0).size();
        long[] a = new long[b * t];
        for (int r = 0; r < b; r++) for (int j = 0; j < t; j++) a[r * t + j] = rows.get(r).get(j).asLong();
        return a;
    }

    static Tensor ids(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return Tensor.of(l, 1, ids.length);
    }

    /** Largest |got - want| over a [rows, cols] tensor and a JSON array of rows. */
    static double maxError(Tensor got, JsonNode want) {
        double err = 0;
        for (int r = 0; r < want.size(); r++) {
            float[] row = got.select(0, r).toFloatArray();
            assertEquals(want.get(r).size(), row.length, "row " + r + " length");
            for (int c = 0; c < row.length; c++) err = Math.max(err, Math.abs(row[c] - want.get(r).get(c).asDouble()));
        }
        return err;
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1_1", "original", "sharded-bf16"})
    void forwardPassMatchesPyTorch(String variant) throws Exception {
        JsonNode ref = reference(variant);
        try (T5 t5 = T5.load(fixture(variant))) {
            T5Config c = t5.config();
            switch (variant) {
                case "v1_1" -> assertTrue(c.feedForward() == FeedForward.Kind.GATED_GELU && !c.tieWordEmbeddings()
                        && c.numLayers() == 2 && c.numDecoderLayers() == 3 && c.dKv() * c.numHeads() != c.dModel());
                case "original" -> assertTrue(c.feedForward() == FeedForward.Kind.RELU && c.tieWordEmbeddings()
                        && c.relativeAttentionNumBuckets() == 32 && c.relativeAttentionMaxDistance() == 128
                        && c.numDecoderLayers() == c.numLayers());
                case "sharded-bf16" -> assertEquals(DType.BF16, t5.model().outputWeight().dtype());
                default -> throw new IllegalStateException(variant);
            }
            int[] prompt = ints(ref.get("prompts").get(0).get("ids"));
            assertArrayEquals(prompt, t5.encodePrompt(ref.get("prompts").get(0).get("text").asText()), "tokenized prompt with </s>");
            try (var off = GradMode.off()) {
                double encErr = maxError(t5.model().encode(ids(prompt), null).data().select(0, 0), ref.get("encoder_output"));
                Tensor logits = t5.model().forward(ids(prompt), null, ids(ints(ref.get("decoder_input_ids")))).data().select(0, 0);
                double logitErr = maxError(logits, ref.get("logits"));
                System.out.printf("%s: max |encoder output - PyTorch| = %.2e, max |logit - PyTorch| = %.2e%n", variant, encErr, logitErr);
                assertTrue(encErr < 1e-4, variant + ": encoder output differs from PyTorch by " + encErr);
                assertTrue(logitErr < 1e-4, variant + ": logits differ from PyTorch by " + logitErr);
            }
            double lp = t5.logProbs(new int[][] {prompt}, new int[][] {ints(ref.get("target_ids"))}).item();
            double want = ref.get("target_log_prob").asDouble();
            assertEquals(want, lp, 1e-5 * Math.max(1, Math.abs(want)), variant + ": log-probability of the target");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1_1", "original", "sharded-bf16"})
    void greedyDecodingMatchesFullRecomputationAloneAndBatched(String variant) throws Exception {
        JsonNode ref = reference(variant);
        int maxNew = ref.get("greedy_max_new_tokens").asInt();
        try (T5 t5 = T5.load(fixture(variant))) {
            JsonNode prompts = ref.get("prompts"), greedy = ref.get("greedy");
            int[][] batch = new int[prompts.size()][];
            List<String> texts = new ArrayList<>();
            GenerationConfig cfg = GenerationConfig.greedy(maxNew, t5.config().eosTokenIds());
            for (int i = 0; i < batch.length; i++) {
                batch[i] = ints(prompts.get(i).get("ids"));
                texts.add(prompts.get(i).get("text").asText());
                int[] alone = Generation.generate(t5.model(), new int[][] {batch[i]}, cfg, null)[0];
                assertArrayEquals(ints(greedy.get(i).get("ids")), alone, variant + ": greedy ids of prompt " + i);
                assertEquals(greedy.get(i).get("text").asText(), t5.generate(texts.get(i), cfg, null), variant + ": text of prompt " + i);
            }
            int[][] together = Generation.generate(t5.model(), batch, cfg, null);
            for (int i = 0; i < batch.length; i++) {
                assertArrayEquals(ints(greedy.get(i).get("ids")), together[i], variant + ": batched greedy ids of prompt " + i);
            }
            List<String> out = t5.generate(texts, cfg);
            for (int i = 0; i < batch.length; i++) assertEquals(greedy.get(i).get("text").asText(), out.get(i));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1_1", "original", "sharded-bf16"})
    void paddedBatchLossAndItsGradientsMatchPyTorch(String variant) throws Exception {
        JsonNode batch = reference(variant).get("batch");
        try (T5 t5 = T5.load(fixture(variant))) {
            JsonNode inputs = batch.get("input_ids"), labels = batch.get("labels");
            int b = inputs.size();
            Tensor in = Tensor.of(longs2d(inputs), b, inputs.get(0).size());
            Tensor mask = Tensor.of(longs2d(batch.get("attention_mask")), b, inputs.get(0).size());
            Tensor lab = Tensor.of(longs2d(labels), b, labels.get(0).size());
            Variable loss = T5Scoring.loss(t5.model(), in, mask, lab);
            double want = batch.get("loss").asDouble();
            assertEquals(want, loss.item(), 1e-5 * Math.max(1, Math.abs(want)), variant + ": loss");
            loss.backward();
            var params = t5.model().namedParameters();
            var it = batch.get("gradients").fields();
            int checked = 0;
            while (it.hasNext()) {
                var e = it.next();
                Parameter p = params.get(e.getKey());
                assertTrue(p != null && p.grad() != null, variant + ": no gradient for " + e.getKey());
                float[] g = p.grad().contiguous().toFloatArray();
                JsonNode w = e.getValue();
                assertEquals(w.size(), g.length, e.getKey());
                double err = 0, scale = 0;
                for (int i = 0; i < g.length; i++) {
                    err = Math.max(err, Math.abs(g[i] - w.get(i).asDouble()));
                    scale = Math.max(scale, Math.abs(w.get(i).asDouble()));
                }
                assertTrue(scale > 0, e.getKey() + ": the reference gradient is zero, the check would be empty");
                assertTrue(err <= 1e-4 * Math.max(1, scale), variant + ": gradient of " + e.getKey() + " differs by " + err + " (scale " + scale + ")");
                checked++;
            }
            assertEquals(6, checked);
            // the same loss from the interface's text-free method: mean over target tokens of the summed log-probs
            int[][] prompts = new int[b][], targets = new int[b][];
            for (int r = 0; r < b; r++) {
                prompts[r] = trim(inputs.get(r), batch.get("attention_mask").get(r));
                targets[r] = trim(labels.get(r), null);
            }
            assertEquals(want, t5.loss(prompts, targets).item(), 1e-5 * Math.max(1, Math.abs(want)), variant + ": LanguageModel.loss");
            assertFalse(Double.isNaN(loss.item()));
        }
    }

    /** A padded row without its padding (mask 0, or label -100). */
    private static int[] trim(JsonNode row, JsonNode mask) {
        List<Integer> kept = new ArrayList<>();
        for (int j = 0; j < row.size(); j++) {
            boolean real = mask != null ? mask.get(j).asInt() != 0 : row.get(j).asInt() != T5Scoring.IGNORE;
            if (real) kept.add(row.get(j).asInt());
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }
}

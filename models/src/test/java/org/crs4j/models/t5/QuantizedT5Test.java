package org.crs4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.crs4j.autograd.GradMode;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.Quantization;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.io.SafetensorsWriter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * T5 loaded with {@link Quantization#Q8} (through {@link LanguageModels}, as the CLI loads it): matrices with at least
 * 32 columns become Q8_0, everything else (norms, the relative position bias [buckets, heads]) F32; teacher-forced
 * logits stay close to the unquantized model's and greedy decoding still runs to its end. The PyTorch fixtures are
 * too narrow to quantize (d_model 16), so each is widened: its config with d_model 64, d_kv 16, d_ff 96, 4 heads, and
 * random weights, saved as a folder beside its tokenizer.
 */
class QuantizedT5Test {
    @TempDir Path tmp;

    private Path widened(String variant) throws Exception {
        Path src = PyTorchParityTest.fixture(variant), dir = tmp.resolve(variant);
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(src.resolve("config.json").toFile());
        cfg.put("d_model", 64).put("d_kv", 16).put("d_ff", 96).put("num_heads", 4);
        json.writeValue(dir.resolve("config.json").toFile(), cfg);
        Files.copy(src.resolve("spiece.model"), dir.resolve("spiece.model"));
        T5Model model = new T5Model(T5Config.fromJson(dir.resolve("config.json")), new Generator(7));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), model.stateDict());
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1_1", "original"})
    void quantizedT5KeepsItsLogits(String variant) throws Exception {
        JsonNode ref = PyTorchParityTest.reference(variant);
        Path dir = widened(variant);
        try (T5 f = T5.load(dir); LanguageModel lm = LanguageModels.load(dir, null, Quantization.Q8)) {
            T5 q = (T5) lm;
            int quantized = 0;
            for (Map.Entry<String, Tensor> e : q.model().stateDict().entrySet()) {
                Tensor t = e.getValue();
                boolean matrix = t.dim() == 2 && t.size(1) >= 32;
                assertEquals(matrix ? DType.Q8_0 : DType.F32, t.dtype(), e.getKey());
                if (matrix) quantized++;
                if (e.getKey().endsWith("relative_attention_bias.weight")) assertEquals(DType.F32, t.dtype());
            }
            assertTrue(quantized > 0);
            int[] prompt = PyTorchParityTest.ints(ref.get("prompts").get(0).get("ids"));
            Tensor dec = PyTorchParityTest.ids(PyTorchParityTest.ints(ref.get("decoder_input_ids")));
            try (var off = GradMode.off()) {
                Tensor lq = q.model().forward(PyTorchParityTest.ids(prompt), null, dec).data();
                Tensor lf = f.model().forward(PyTorchParityTest.ids(prompt), null, dec).data();
                double err = lq.sub(lf).abs().max().item(), scale = lf.abs().max().item();
                System.out.printf("T5 %s, Q8_0: %d matrices quantized; max |logit error| %.4f, logits up to %.2f%n", variant,
                        quantized, err, scale);
                assertTrue(err < 0.05 * scale, variant + ": logit error " + err + " against logits up to " + scale);
            }
            GenerationConfig cfg = GenerationConfig.greedy(ref.get("greedy_max_new_tokens").asInt(), q.config().eosTokenIds());
            int[] got = Generation.generate(q.model(), new int[][] {prompt}, cfg, null)[0];
            assertTrue(got.length > 0 && got.length <= cfg.maxNewTokens());
        }
    }
}

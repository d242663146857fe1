package org.crs4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.crs4j.autograd.GradMode;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.nn.transformer.RotaryEmbedding;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Parity with the independent float64 reference of ../shared/models/stories260K/reference.json (which reproduces
 * llama2.c's published sample): greedy generations token for token and F32 logits within 1e-4, for the Hugging Face
 * F32 folder, the llama2.c .bin file (interleaved RoPE, mapped without copying) and the BF16 sharded folder.
 */
class Stories260KParityTest {

    private static int[] withPrompt(int[] prompt, int[] generated) {
        int[] all = Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        return all;
    }

    private static void checkGreedyFromBos(Llama llama, int tokens) {
        JsonNode g = SharedModels.reference().get("greedy_from_bos");
        int[] want = SharedModels.ints(g.get("output_ids"));
        int[] got = withPrompt(new int[] {1}, Generation.generate(llama.model(), new int[][] {{1}},
                GenerationConfig.greedy(tokens, llama.config().eosTokenIds()), null)[0]);
        assertArrayEquals(Arrays.copyOf(want, tokens + 1), got, llama.source() + ": greedy from BOS");
    }

    private static void checkPrompt(Llama llama) {
        JsonNode p = SharedModels.reference().get("prompt");
        int[] ids = SharedModels.ints(p.get("input_ids"));
        assertArrayEquals(ids, llama.encodePrompt(p.get("text").asText()), "prompt encoding");
        Tensor logits;
        try (var off = GradMode.off()) {
            logits = llama.model().forward(Tensor.of(Arrays.stream(ids).asLongStream().toArray(), 1, ids.length), null, null, null).data();
        }
        JsonNode want = p.get("last_position_logits");
        float[] last = logits.select(0, 0).select(0, ids.length - 1).toFloatArray();
        double maxErr = 0;
        for (int i = 0; i < last.length; i++) maxErr = Math.max(maxErr, Math.abs(last[i] - want.get(i).asDouble()));
        assertTrue(maxErr < 1e-4, llama.source() + ": last-position logits differ by up to " + maxErr);
        int[] argmax = SharedModels.ints(p.get("argmax_per_position"));
        Tensor am = logits.argmax(-1, false).select(0, 0);
        assertArrayEquals(argmax, am.toIntArray(), "argmax per position");
        int[] greedy = SharedModels.ints(p.get("greedy_40_output_ids"));
        int[] got = withPrompt(ids, Generation.generate(llama.model(), new int[][] {ids},
                GenerationConfig.greedy(40, llama.config().eosTokenIds()), null)[0]);
        assertArrayEquals(greedy, got, "greedy continuation of the prompt");
        assertEquals(p.get("greedy_40_text").asText(), llama.tokenizer().decode(got));
        System.out.printf("%s: max |logit - reference| = %.2e%n", llama.source(), maxErr);
    }

    @Test
    void huggingFaceF32FolderMatchesTheReference() throws Exception {
        try (Llama llama = Llama.load(SharedModels.stories260K().resolve("hf"))) {
            assertEquals(RotaryEmbedding.Pairing.HALF, llama.config().ropePairing());
            assertTrue(llama.config().tieWordEmbeddings());
            assertEquals(4, llama.config().numKvHeads());
            checkGreedyFromBos(llama, 256);
            checkPrompt(llama);
        }
    }

    @Test
    void llama2cFileMatchesTheReference() throws Exception {
        Path dir = SharedModels.stories260K();
        try (Llama llama = Llama.load(dir.resolve("stories260K.bin"), dir.resolve("tok512.bin"))) {
            assertEquals(RotaryEmbedding.Pairing.INTERLEAVED, llama.config().ropePairing());
            assertEquals(DType.F32, llama.model().outputWeight().dtype());
            checkGreedyFromBos(llama, 256);
            checkPrompt(llama);
        }
    }

    @Test
    void bf16ShardedFolderMatchesTheFirstTokens() throws Exception {
        try (Llama llama = Llama.load(SharedModels.stories260K().resolve("hf-bf16-sharded"))) {
            assertEquals(DType.BF16, llama.model().outputWeight().dtype(), "weights stay BF16");
            checkGreedyFromBos(llama, 80);
        }
    }

    @Test
    void bothLayoutsGiveTheSameLogitsEverywhere() throws Exception {
        Path dir = SharedModels.stories260K();
        long[] ids = {1, 403, 407, 261, 378, 432, 383, 286, 261, 400, 428, 395, 13, 267, 300};
        try (Llama hf = Llama.load(dir.resolve("hf")); Llama c = Llama.load(dir.resolve("stories260K.bin"));
             var off = GradMode.off()) {
            Tensor a = hf.model().forward(Tensor.of(ids, 1, ids.length), null, null, null).data();
            Tensor b = c.model().forward(Tensor.of(ids, 1, ids.length), null, null, null).data();
            double err = a.sub(b).abs().max().item();
            assertTrue(err < 2e-5, "HF (rotate_half, permuted q/k) vs llama2.c (interleaved) logits differ by " + err);
        }
    }

    @Test
    void leftPaddedBatchGeneratesWhatEachPromptGeneratesAlone() throws Exception {
        try (Llama llama = Llama.load(SharedModels.stories260K().resolve("hf"))) {
            List<String> prompts = List.of("Once upon a time, there was a dog", "Lily", "The sun was shining and the birds");
            GenerationConfig cfg = GenerationConfig.greedy(30, llama.config().eosTokenIds());
            int[][] batched = llama.generate(prompts, cfg, null);
            for (int i = 0; i < prompts.size(); i++) {
                int[][] alone = llama.generate(List.of(prompts.get(i)), cfg, null);
                assertArrayEquals(alone[0], batched[i], "prompt " + i + " batched vs alone");
            }
        }
    }
}

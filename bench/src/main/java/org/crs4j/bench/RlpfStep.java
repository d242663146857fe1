package org.crs4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.crs.controller.ControllerModels;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.crs.llm.Sampling;
import org.crs4j.crs.rlpf.Outcome;
import org.crs4j.crs.rlpf.RlpfTrainer;
import org.crs4j.crs.rlpf.SingleCallEnvironment;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.t5.T5;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * One RLPF step of crs4j's small controller, the workload of {@link RlpfStepBenchmark} (and, line for line, of
 * {@code scripts/bench_rlpf_step.py}):
 * <ol>
 *   <li>the controller of the bundled settings (T5, d_model 256, 4 heads of 64, gated-GELU d_ff 1024, 2 + 2 blocks,
 *       tied 8,000-row embedding: 6.8 M parameters), randomly initialised;</li>
 *   <li>8 episodes, one per fixed prompt (text of 40 random vocabulary pieces, 45-55 tokens once encoded): each samples
 *       exactly 32 tokens (temperature 1, top-p 1, no stop token, so both sides do the same work) with the KV-cached
 *       decoder;</li>
 *   <li>reward = the share of even ids among the sampled tokens (a stand-in that varies between episodes, so every
 *       step updates); λ = 1, baseline a moving average at rate 0.1;</li>
 *   <li>log P of the 8 samples in one teacher-forced batch, L = −(1/B) Σ (R − b) log P, backward, clip to norm 1,
 *       AdamW (lr 5e-5, weight decay 0.01).</li>
 * </ol>
 */
public final class RlpfStep {
    public static final int BATCH = 8, NEW_TOKENS = 32, PROMPT_PIECES = 40;

    private final T5 model;
    private final RlpfTrainer trainer;
    private final List<String> prompts;
    private long step;

    public RlpfStep() {
        try {
            Path dir = Files.createTempDirectory("crs4j-rlpf-bench");
            T5 base = ControllerModels.create(dir, null, null, new Generator(1));
            // no stop token: every episode samples exactly NEW_TOKENS tokens, as the PyTorch peer does
            model = T5.of(dir, base.model(), base.tokenizer(), GenerationConfig.greedy(NEW_TOKENS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        model.module().eval();
        prompts = prompts(model);
        SingleCallEnvironment env = new SingleCallEnvironment() {
            @Override
            protected LlmRequest request(int index) {
                return new LlmRequest("bench", prompts.get(index), new Sampling(NEW_TOKENS, 1, 1, 0));
            }

            @Override
            protected Outcome measure(int index, LlmResponse r) {
                int even = 0;
                for (int id : r.outputIds()) if (id % 2 == 0) even++;
                return Outcome.of(even / (double) r.outputIds().length, 0);
            }

            @Override
            public String describe() {
                return "benchmark environment";
            }

            @Override
            public int size() {
                return BATCH;
            }
        };
        RlpfTrainer.Settings s = RlpfTrainer.Settings.defaults(Integer.MAX_VALUE, BATCH).withLambda(1)
                .withSampling(1, 1, NEW_TOKENS).withRun(7, 1000, BATCH);
        trainer = new RlpfTrainer(model, env, s, null, new PrintStream(PrintStream.nullOutputStream()));
    }

    /** Texts of random vocabulary pieces (no specials, no byte pieces), fixed by the seed. */
    private static List<String> prompts(T5 m) {
        float[] u = Tensor.rand(new Generator(2), BATCH * PROMPT_PIECES).toFloatArray();
        int first = 259, vocab = m.tokenizer().vocabSize();
        List<String> out = new ArrayList<>();
        for (int b = 0; b < BATCH; b++) {
            int[] ids = new int[PROMPT_PIECES];
            for (int i = 0; i < ids.length; i++) ids[i] = first + (int) (u[b * PROMPT_PIECES + i] * (vocab - first));
            out.add(m.tokenizer().decode(ids));
        }
        return out;
    }

    public RlpfTrainer.StepResult step() {
        return trainer.step(step++);
    }

    public long parameterCount() {
        return model.module().parameterCount();
    }

    public int[][] promptIds() {
        int[][] ids = new int[BATCH][];
        for (int b = 0; b < BATCH; b++) ids[b] = model.encodePrompt(prompts.get(b));
        return ids;
    }

    /** Writes what the PyTorch peer needs to run the same step: the model settings and the exact prompt ids. */
    public static void main(String[] args) throws IOException {
        RlpfStep s = new RlpfStep();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", new ObjectMapper().readValue(Files.readString(s.model.source().resolve("config.json")), Map.class));
        out.put("prompts", s.promptIds());
        out.put("new_tokens", NEW_TOKENS);
        out.put("parameters", s.parameterCount());
        new ObjectMapper().writeValue(Path.of(args[0]).toFile(), out);
        System.out.println("wrote " + args[0] + ": " + s.parameterCount() + " parameters, prompts of "
                + java.util.Arrays.stream(s.promptIds()).mapToInt(a -> a.length).summaryStatistics());
    }
}

package org.crs4j.crs.rlpf;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.crs.controller.ControllerModels;
import org.crs4j.crs.controller.MetricsLog;
import org.crs4j.crs.controller.RunState;
import org.crs4j.crs.controller.SftTrainer;
import org.crs4j.crs.controller.TrainingProgress;
import org.crs4j.models.LanguageModel;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.checkpoint.Checkpoint;
import org.crs4j.nn.optim.AdamW;
import org.crs4j.nn.optim.GradClip;

/**
 * RLPF (seed 000, §4): fine-tunes the policy LLM with REINFORCE from the rewards an {@link Environment} gives its
 * episodes. One step:
 * <ol>
 *   <li>B training cases, in an order that is a pure function of (seed, epoch), are played as episodes: every text
 *       they need is sampled from the model ({@link Policy}: temperature and top-p as set, seeds a pure function of
 *       (seed, step));</li>
 *   <li>each episode's reward R = λ·HIT + (1 − λ)·BLEU ({@link Reward}; unparsed episodes earn 0 and are counted);</li>
 *   <li>the gradient of L = −(1/B) Σ (R − b) log P(S | Θ) ({@link Reinforce}), b the moving average of the rewards
 *       of earlier steps ({@link Baseline}); clipped to a global norm; one AdamW step. A batch in which every R equals
 *       b carries no signal and leaves the model (and AdamW's moments) untouched;</li>
 *   <li>b takes in the batch's rewards.</li>
 * </ol>
 * The output folder receives, atomically at every save, the model ({@link ControllerModels#save}), the training state
 * {@value #STATE} (trained parameters, AdamW, baseline: {@code --resume} continues bit-identically) and the per-step
 * figures {@value #METRICS} (loss, mean reward, baseline, unparsed episodes, gradient norm, sampled tokens).
 */
public final class RlpfTrainer {
    public static final String STATE = "rlpf-state.safetensors", METRICS = "rlpf-metrics.csv";

    /**
     * @param lambda        Eq. 2's balance of HIT and BLEU, in [0, 1] (the paper does not state its value)
     * @param baselineRate  weight of each new reward in the moving average b
     * @param baselineStart b before the first reward
     * @param temperature   sampling temperature (> 0; 1 samples P(· | Θ) itself)
     * @param topP          nucleus sampling mass (1 = off)
     * @param maxNewTokens  cap on the tokens of any one generated text (the paper's max target length is 100)
     * @param clip          global gradient-norm bound (Infinity: none)
     * @param microBatch    samples scored per forward pass (their gradients add up: memory, not maths)
     * @param saveEvery     steps between saves (the last step always saves)
     */
    public record Settings(int steps, int batchSize, double lambda, double baselineRate, double baselineStart, double temperature,
                           double topP, int maxNewTokens, double lr, double weightDecay, double clip, int microBatch, long seed,
                           int saveEvery) {
        public Settings {
            if (steps < 1) throw new IllegalArgumentException("--steps: " + steps + " must be >= 1");
            if (batchSize < 1) throw new IllegalArgumentException("--batch-size: " + batchSize + " must be >= 1");
            new Reward(lambda);
            new Baseline(baselineRate, baselineStart);
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException("--temperature: " + temperature + " must be > 0 (REINFORCE learns from samples, not greedy outputs)");
            }
            if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("--top-p: " + topP + " is outside (0, 1]");
            if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens: " + maxNewTokens + " must be >= 1");
            if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("--lr: " + lr + " must be a positive number");
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new IllegalArgumentException("--weight-decay: " + weightDecay + " must be >= 0");
            if (!(clip > 0)) throw new IllegalArgumentException("--clip: " + clip + " must be > 0 (Infinity: no clipping)");
            if (microBatch < 1) throw new IllegalArgumentException("--micro-batch: " + microBatch + " must be >= 1");
            if (saveEvery < 1) throw new IllegalArgumentException("--save-every: " + saveEvery + " must be >= 1");
        }

        /** The paper's optimiser settings (Adam, lr 5e-5, weight decay 0.01), sampling at temperature 1, λ = 0.5. */
        public static Settings defaults(int steps, int batchSize) {
            return new Settings(steps, batchSize, 0.5, 0.1, 0, 1, 1, 100, 5e-5, 0.01, 1.0, 8, 0, 50);
        }

        public Settings withLambda(double l) {
            return new Settings(steps, batchSize, l, baselineRate, baselineStart, temperature, topP, maxNewTokens, lr, weightDecay, clip, microBatch, seed, saveEvery);
        }

        public Settings withOptimizer(double learningRate, double decay, double clipNorm) {
            return new Settings(steps, batchSize, lambda, baselineRate, baselineStart, temperature, topP, maxNewTokens, learningRate, decay, clipNorm, microBatch, seed, saveEvery);
        }

        public Settings withBaseline(double rate, double start) {
            return new Settings(steps, batchSize, lambda, rate, start, temperature, topP, maxNewTokens, lr, weightDecay, clip, microBatch, seed, saveEvery);
        }

        public Settings withSampling(double t, double p, int maxNew) {
            return new Settings(steps, batchSize, lambda, baselineRate, baselineStart, t, p, maxNew, lr, weightDecay, clip, microBatch, seed, saveEvery);
        }

        public Settings withRun(long s, int save, int micro) {
            return new Settings(steps, batchSize, lambda, baselineRate, baselineStart, temperature, topP, maxNewTokens, lr, weightDecay, clip, micro, s, save);
        }

        /** What a resumed run must share with the saved one (the number of steps and save frequency may change). */
        Map<String, String> identity() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("batch_size", "" + batchSize);
            m.put("lambda", "" + lambda);
            m.put("baseline_rate", "" + baselineRate);
            m.put("baseline_start", "" + baselineStart);
            m.put("temperature", "" + temperature);
            m.put("top_p", "" + topP);
            m.put("max_new_tokens", "" + maxNewTokens);
            m.put("lr", "" + lr);
            m.put("weight_decay", "" + weightDecay);
            m.put("clip", "" + clip);
            m.put("micro_batch", "" + microBatch);
            m.put("seed", "" + seed);
            return m;
        }
    }

    /**
     * The figures of one step.
     *
     * @param baseline b as used by this step's update (before the batch's rewards were folded in)
     * @param updated  false when every reward equalled b (no signal: no update)
     * @param playSeconds time spent playing the episodes (sampling, environment); the rest of {@code seconds} is the update
     */
    public record StepResult(long step, double loss, double meanReward, double baseline, int unparsed, double gradNorm,
                             int sampledTokens, boolean updated, double seconds, double playSeconds) {}

    private final LanguageModel lm;
    private final Environment env;
    private final Settings s;
    private final Path out;
    private final PrintStream err;
    private final Policy policy;
    private final Reward reward;
    private final Baseline baseline;
    private final Map<String, Parameter> trained = new LinkedHashMap<>();
    private final AdamW opt;
    private final Checkpoint ckpt;
    private int[] order;
    private long orderEpoch = -1;

    /**
     * @param lm  the policy; its trainable parameters are the ones RLPF updates (freeze the others first, e.g. with
     *            {@link ControllerModels#trainOnly})
     * @param out where to save (may be null: nothing is written, e.g. in benchmarks)
     */
    public RlpfTrainer(LanguageModel lm, Environment env, Settings settings, Path out, PrintStream err) {
        if (env.size() < 1) throw new IllegalArgumentException(env.describe() + ": no training cases");
        this.lm = lm;
        this.env = env;
        this.s = settings;
        this.out = out;
        this.err = err;
        this.policy = new Policy(lm, s.temperature(), s.topP(), s.maxNewTokens());
        this.reward = new Reward(s.lambda());
        this.baseline = new Baseline(s.baselineRate(), s.baselineStart());
        lm.module().namedParameters().forEach((n, p) -> {
            if (p.trainable()) trained.put(n, p);
        });
        if (trained.isEmpty()) throw new IllegalArgumentException("the model has no trainable parameter (--train-layers matched none?)");
        this.opt = new AdamW(trained, s.lr(), s.weightDecay());
        this.ckpt = new Checkpoint(lm.module()).trainableOnly().optimizer(opt);
    }

    public Baseline baseline() {
        return baseline;
    }

    public AdamW optimizer() {
        return opt;
    }

    /** Training cases of step {@code step}: positions step·B … step·B + B − 1 of the shuffled epochs, one after another. */
    int[] cases(long step) {
        int[] idx = new int[s.batchSize()];
        for (int i = 0; i < idx.length; i++) {
            long pos = step * s.batchSize() + i;
            long epoch = pos / env.size();
            if (epoch != orderEpoch) {
                order = SftTrainer.permutation(env.size(), s.seed(), epoch);
                orderEpoch = epoch;
            }
            idx[i] = order[(int) (pos % env.size())];
        }
        return idx;
    }

    /** One RLPF step: play, reward, update, baseline. */
    public StepResult step(long step) {
        long t0 = System.nanoTime();
        int[] cases = cases(step);
        policy.begin(s.seed() ^ (0x5851F42D4C957F2DL * (step + 1)), cases.length);
        List<Outcome> outcomes = env.playAll(cases, policy);
        long played = System.nanoTime();
        if (outcomes.size() != cases.length) {
            throw new IllegalStateException(env.describe() + ": returned " + outcomes.size() + " outcomes for " + cases.length + " episodes");
        }
        double[] rewards = new double[cases.length];
        int unparsed = 0, tokens = 0;
        double b = baseline.value(), mean = 0;
        boolean signal = false;
        List<Reinforce.Episode> episodes = new ArrayList<>(cases.length);
        for (int i = 0; i < cases.length; i++) {
            Outcome o = outcomes.get(i);
            if (o == null) throw new IllegalStateException(env.describe() + ": no outcome for episode " + i + " (case " + cases[i] + ")");
            rewards[i] = reward.of(o, "step " + step + ", episode " + i + " (case " + cases[i] + " of " + env.describe() + ")");
            if (!o.parsed()) unparsed++;
            mean += rewards[i] / cases.length;
            signal |= rewards[i] != b;
            List<Sample> samples = policy.samples(i);
            for (Sample x : samples) tokens += x.tokens();
            episodes.add(new Reinforce.Episode(samples, rewards[i]));
        }
        double loss = 0, norm = 0;
        if (signal) {
            opt.zeroGrad();
            lm.module().eval(); // the distribution scored is the one that sampled: no dropout
            loss = Reinforce.backward(lm, episodes, b, s.microBatch());
            norm = GradClip.clipGradNorm(trained.values(), s.clip());
            opt.step();
            opt.zeroGrad();
        }
        baseline.update(rewards);
        long t1 = System.nanoTime();
        return new StepResult(step, loss, mean, b, unparsed, norm, tokens, signal, (t1 - t0) / 1e9, (played - t0) / 1e9);
    }

    /** Runs the remaining steps (all of them, or from the saved state with {@code resume}); returns every step's figures. */
    public List<StepResult> run(boolean resume) throws IOException {
        if (out == null) throw new IllegalStateException("no output folder to save into");
        Files.createDirectories(out);
        Path state = out.resolve(STATE);
        Map<String, String> identity = new LinkedHashMap<>(s.identity());
        identity.put("kind", "rlpf");
        identity.put("model", ControllerModels.fingerprint(lm));
        identity.put("environment", env.describe());
        identity.put("trained", String.join(" ", ControllerModels.trainableNames(lm)).hashCode() + "");
        MetricsLog log = new MetricsLog(out.resolve(METRICS), "step", "loss", "mean_reward", "baseline", "unparsed", "grad_norm",
                "sampled_tokens", "updated", "play_seconds", "seconds");
        long step = 0;
        if (resume) {
            if (!Files.isRegularFile(state)) throw new IOException(state + ": no training state to resume (run without --resume first)");
            RunState.requireSame(state, identity);
            Checkpoint.Loaded loaded = ckpt.load(state);
            step = loaded.step();
            baseline.set(Double.parseDouble(loaded.extra().get("baseline")));
            log.resumeAt(step);
        } else if (Files.exists(state)) {
            throw new IOException(out + ": holds an RLPF run already (" + STATE + "); pass --resume to continue it, or choose another --out");
        }
        err.printf("RLPF: %s; %d steps of %d episodes, λ %s, temperature %s, top-p %s; %,d of %,d parameters trained%n",
                env.describe(), s.steps(), s.batchSize(), s.lambda(), s.temperature(), s.topP(),
                lm.module().trainableParameterCount(), lm.module().parameterCount());
        List<StepResult> results = new ArrayList<>();
        double elapsed = 0;
        try (TrainingProgress bar = new TrainingProgress("rlpf", (long) s.steps() * s.batchSize(), step * s.batchSize(), err)) {
            for (; step < s.steps(); step++) {
                StepResult r = step(step);
                results.add(r);
                elapsed += r.seconds();
                log.add(step, r.loss(), r.meanReward(), r.baseline(), r.unparsed(), r.gradNorm(), r.sampledTokens(), r.updated(), r.playSeconds(), elapsed);
                bar.advance(s.batchSize(), String.format("loss %.4f reward %.3f baseline %.3f%s", r.loss(), r.meanReward(),
                        baseline.value(), r.unparsed() > 0 ? " unparsed " + r.unparsed() : ""));
                if ((step + 1) % s.saveEvery() == 0 || step + 1 == s.steps()) save(state, step + 1, identity, log);
            }
        }
        return results;
    }

    private void save(Path state, long steps, Map<String, String> identity, MetricsLog log) throws IOException {
        ControllerModels.save(lm, out);
        Map<String, String> extra = new LinkedHashMap<>(identity);
        extra.put("baseline", Double.toString(baseline.value()));
        ckpt.save(state, steps, extra);
        log.write();
    }
}

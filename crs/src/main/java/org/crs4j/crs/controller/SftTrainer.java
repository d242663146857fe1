package org.crs4j.crs.controller;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.autograd.GradMode;
import org.crs4j.autograd.Variable;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.nn.Parameter;
import org.crs4j.nn.checkpoint.Checkpoint;
import org.crs4j.nn.optim.AdamW;
import org.crs4j.nn.optim.GradClip;
import org.crs4j.nn.optim.LrSchedule;
import org.crs4j.nn.optim.LrScheduler;
import org.crs4j.tensor.Generator;

/**
 * Supervised fine-tuning of a language model on (prompt, target) pairs: teacher-forced cross-entropy over the target
 * tokens ({@link LanguageModel#loss}, Hugging Face's loss with the prompt labelled -100), AdamW, a linear schedule
 * with warm-up, gradient clipping, shuffled mini-batches (each epoch's order a pure function of the seed and the
 * epoch). Works for any {@link LanguageModel}: the small controller from scratch, Flan-T5, LLaMA.
 *
 * <p>Into the output folder go the model ({@link ControllerModels#save}: a normal model folder), the training state
 * {@value #STATE} (model, AdamW moments, schedule, dropout stream: {@code --resume} continues bit-identically) and
 * {@value #METRICS} (loss, learning rate, gradient norm per step; held-out loss and exact match per epoch), each
 * written atomically at every save.
 */
public final class SftTrainer {
    public static final String STATE = "sft-state.safetensors", METRICS = "sft-metrics.csv";

    /**
     * @param maxSourceTokens prompts longer than this keep their first tokens (and T5's closing EOS); the paper uses 512
     * @param maxTargetTokens likewise for targets; the paper uses 100
     * @param saveEvery       steps between saves (the last step always saves)
     * @param evalPairs       held-out pairs whose greedy output is compared with the target after each epoch
     */
    public record Settings(int epochs, int batchSize, double lr, double weightDecay, double clip, int warmupSteps,
                           int maxSourceTokens, int maxTargetTokens, long seed, int saveEvery, int evalPairs) {
        public Settings {
            positive(epochs, "--epochs");
            positive(batchSize, "--batch-size");
            positive(maxSourceTokens, "--max-source-tokens");
            positive(maxTargetTokens, "--max-target-tokens");
            positive(saveEvery, "--save-every");
            if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("--lr: " + lr + " must be a positive number");
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new IllegalArgumentException("--weight-decay: " + weightDecay + " must be >= 0");
            if (!(clip > 0)) throw new IllegalArgumentException("--clip: " + clip + " must be > 0 (Infinity: no clipping)");
            if (warmupSteps < 0) throw new IllegalArgumentException("--warmup: " + warmupSteps + " must be >= 0");
            if (evalPairs < 0) throw new IllegalArgumentException("--eval-pairs: " + evalPairs + " must be >= 0");
        }

        /** What a resumed run must share with the saved one (save frequency and evaluation size may change). */
        Map<String, String> identity() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("epochs", "" + epochs);
            m.put("batch_size", "" + batchSize);
            m.put("lr", "" + lr);
            m.put("weight_decay", "" + weightDecay);
            m.put("clip", "" + clip);
            m.put("warmup", "" + warmupSteps);
            m.put("max_source_tokens", "" + maxSourceTokens);
            m.put("max_target_tokens", "" + maxTargetTokens);
            m.put("seed", "" + seed);
            return m;
        }
    }

    static void positive(long v, String option) {
        if (v < 1) throw new IllegalArgumentException(option + ": " + v + " must be >= 1");
    }

    /** How a run ended: steps done, the last step's loss, and the held-out figures of the last evaluation (NaN if none). */
    public record Report(long steps, double lastLoss, double validLoss, double validExactMatch, int validEvaluated, int truncated) {}

    private final LanguageModel lm;
    private final Generator dropout;
    private final List<Pair> train, valid;
    private final Settings s;
    private final Path out;
    private final PrintStream err;

    /**
     * @param dropout the generator the model's dropout layers draw from (saved and restored with the run), or null
     *                when the model has none (loaded models)
     * @param valid   held-out pairs (may be empty)
     */
    public SftTrainer(LanguageModel lm, Generator dropout, List<Pair> train, List<Pair> valid, Settings settings, Path out, PrintStream err) {
        if (train.isEmpty()) throw new IllegalArgumentException("no training pairs");
        this.lm = lm;
        this.dropout = dropout;
        this.train = train;
        this.valid = valid;
        this.s = settings;
        this.out = out;
        this.err = err;
    }

    public Report run(boolean resume) throws IOException {
        return run(resume, Long.MAX_VALUE);
    }

    /** As {@link #run(boolean)}, stopping after step {@code stopAt} (saved there): an interrupted run, for tests. */
    Report run(boolean resume, long stopAt) throws IOException {
        Files.createDirectories(out);
        Path state = out.resolve(STATE);
        int[][] prompts = new int[train.size()][], targets = new int[train.size()][];
        int truncated = encode(train, prompts, targets);
        int perEpoch = (train.size() + s.batchSize() - 1) / s.batchSize();
        long total = (long) s.epochs() * perEpoch;
        if (s.warmupSteps() > total) {
            throw new IllegalArgumentException("--warmup: " + s.warmupSteps() + " steps exceed the run's " + total + " (" + s.epochs()
                    + " epochs of " + perEpoch + " batches)");
        }

        Map<String, Parameter> trained = new LinkedHashMap<>();
        lm.module().namedParameters().forEach((n, p) -> {
            if (p.trainable()) trained.put(n, p);
        });
        if (trained.isEmpty()) throw new IllegalArgumentException("the model has no trainable parameter");
        AdamW opt = new AdamW(trained, s.lr(), s.weightDecay());
        LrScheduler sched = new LrScheduler(opt, LrSchedule.linearWithWarmup(s.warmupSteps(), total));
        Checkpoint ckpt = new Checkpoint(lm.module()).trainableOnly().optimizer(opt).scheduler(sched);
        if (dropout != null) ckpt.generator("dropout", dropout);
        Map<String, String> identity = new LinkedHashMap<>(s.identity());
        identity.put("kind", "sft");
        identity.put("model", ControllerModels.fingerprint(lm));
        identity.put("train_pairs", train.size() + " pairs, sha256 " + PairsFile.fingerprint(train));
        identity.put("trained", String.join(" ", ControllerModels.trainableNames(lm)).hashCode() + "");
        MetricsLog log = new MetricsLog(out.resolve(METRICS), "step", "epoch", "loss", "lr", "grad_norm", "valid_loss",
                "valid_exact_match", "seconds");

        long step = 0;
        if (resume) {
            if (!Files.isRegularFile(state)) throw new IOException(state + ": no training state to resume (run without --resume first)");
            RunState.requireSame(state, identity);
            step = ckpt.load(state).step();
            log.resumeAt(step);
        } else if (Files.exists(state)) {
            throw new IOException(out + ": holds a training run already (" + STATE + "); pass --resume to continue it, or choose another --out");
        }
        if (truncated > 0) err.printf("%d of %d pairs truncated to %d prompt / %d target tokens%n", truncated, train.size(),
                s.maxSourceTokens(), s.maxTargetTokens());
        err.printf("supervised fine-tuning: %,d pairs, %d epochs of %d batches of %d, %,d of %,d parameters trained%n",
                train.size(), s.epochs(), perEpoch, s.batchSize(), lm.module().trainableParameterCount(), lm.module().parameterCount());

        double lastLoss = Double.NaN, validLoss = Double.NaN, validEm = Double.NaN;
        int evaluated = 0;
        long t0 = System.nanoTime();
        int[] order = null;
        long orderEpoch = -1;
        try (TrainingProgress bar = new TrainingProgress("sft", total * s.batchSize(), step * s.batchSize(), err)) {
            for (; step < Math.min(total, stopAt); step++) {
                long epoch = step / perEpoch;
                if (epoch != orderEpoch) {
                    order = permutation(train.size(), s.seed(), epoch);
                    orderEpoch = epoch;
                }
                int from = (int) (step % perEpoch) * s.batchSize(), to = Math.min(train.size(), from + s.batchSize());
                int[][] bp = new int[to - from][], bt = new int[to - from][];
                for (int i = from; i < to; i++) {
                    bp[i - from] = prompts[order[i]];
                    bt[i - from] = targets[order[i]];
                }
                lm.module().train();
                double lr = opt.learningRates()[0];
                Variable loss = lm.loss(bp, bt);
                loss.backward();
                double norm = GradClip.clipGradNorm(trained.values(), s.clip());
                opt.step();
                sched.step();
                opt.zeroGrad();
                lastLoss = loss.item();
                boolean epochEnd = (step + 1) % perEpoch == 0;
                double vl = Double.NaN, vem = Double.NaN;
                if (epochEnd && !valid.isEmpty()) {
                    vl = meanLoss(lm, valid, s.batchSize(), s.maxSourceTokens(), s.maxTargetTokens());
                    evaluated = Math.min(valid.size(), s.evalPairs());
                    vem = evaluated == 0 ? Double.NaN : exactMatch(lm, valid.subList(0, evaluated), s.batchSize(), s.maxSourceTokens(), s.maxTargetTokens());
                    validLoss = vl;
                    validEm = vem;
                }
                log.add(step, epoch, lastLoss, lr, norm, vl, vem, (System.nanoTime() - t0) / 1e9);
                bar.advance(to - from, String.format("loss %.4f", lastLoss)
                        + (Double.isNaN(validLoss) ? "" : String.format(" valid loss %.4f exact %.3f", validLoss, validEm)));
                if ((step + 1) % s.saveEvery() == 0 || step + 1 == total || step + 1 == stopAt) {
                    ControllerModels.save(lm, out);
                    ckpt.save(state, step + 1, identity);
                    log.write();
                }
            }
        }
        lm.module().eval();
        return new Report(step, lastLoss, validLoss, validEm, evaluated, truncated);
    }

    /** Encodes the pairs as the model reads them, truncated; returns how many were truncated. */
    private int encode(List<Pair> pairs, int[][] prompts, int[][] targets) {
        return encode(lm, pairs, prompts, targets, s.maxSourceTokens(), s.maxTargetTokens());
    }

    private static int encode(LanguageModel lm, List<Pair> pairs, int[][] prompts, int[][] targets, int maxSource, int maxTarget) {
        int truncated = 0;
        for (int i = 0; i < pairs.size(); i++) {
            int[] p = lm.encodePrompt(pairs.get(i).prompt()), t = lm.encodeTarget(pairs.get(i).target());
            if (p.length > maxSource || t.length > maxTarget) truncated++;
            prompts[i] = truncate(p, maxSource, lm.isEncoderDecoder());
            targets[i] = truncate(t, maxTarget, lm.isEncoderDecoder());
            if (targets[i].length == 0) throw new IllegalArgumentException("pair " + i + ": the target encodes to no token");
        }
        return truncated;
    }

    /** The first ids; a T5 sequence keeps its closing EOS (as Hugging Face's tokenizer truncates). */
    static int[] truncate(int[] ids, int max, boolean keepLast) {
        if (ids.length <= max) return ids;
        int[] out = Arrays.copyOf(ids, max);
        if (keepLast) out[max - 1] = ids[ids.length - 1];
        return out;
    }

    /** A permutation of [0, n) drawn from (seed, epoch) alone (Fisher-Yates on a Philox stream). */
    public static int[] permutation(int n, long seed, long epoch) {
        Generator g = new Generator(seed * 0x9E3779B97F4A7C15L + epoch);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        int[] w = new int[4];
        for (int i = n - 1; i > 0; i--) {
            Generator.philox(g.advance(1), 0, g.seed(), w);
            int j = (int) Math.floor(Generator.uniform53(w[0], w[1]) * (i + 1));
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Mean teacher-forced loss per target token over the pairs (no dropout, no gradient). */
    public static double meanLoss(LanguageModel lm, List<Pair> pairs, int batch, int maxSource, int maxTarget) {
        int[][] prompts = new int[pairs.size()][], targets = new int[pairs.size()][];
        encode(lm, pairs, prompts, targets, maxSource, maxTarget);
        boolean training = lm.module().isTraining();
        lm.module().eval();
        double sum = 0;
        long tokens = 0;
        try (var off = GradMode.off()) {
            for (int from = 0; from < pairs.size(); from += batch) {
                int to = Math.min(pairs.size(), from + batch);
                double[] lp = lm.logProbs(Arrays.copyOfRange(prompts, from, to), Arrays.copyOfRange(targets, from, to)).data().toDoubleArray();
                for (int i = from; i < to; i++) {
                    sum -= lp[i - from];
                    tokens += targets[i].length;
                }
            }
        } finally {
            if (training) lm.module().train();
        }
        return sum / tokens;
    }

    /** Share of pairs whose greedy output equals the target (both stripped of surrounding white space). */
    public static double exactMatch(LanguageModel lm, List<Pair> pairs, int batch, int maxSource, int maxNewTokens) {
        List<String> outputs = greedy(lm, pairs, batch, maxSource, maxNewTokens);
        int hits = 0;
        for (int i = 0; i < pairs.size(); i++) if (outputs.get(i).strip().equals(pairs.get(i).target().strip())) hits++;
        return hits / (double) pairs.size();
    }

    /** Greedy outputs for the pairs' prompts, in batches. */
    public static List<String> greedy(LanguageModel lm, List<Pair> pairs, int batch, int maxSource, int maxNewTokens) {
        boolean training = lm.module().isTraining();
        lm.module().eval();
        GenerationConfig config = lm.defaults().withTemperature(0).withBeams(1, 1).withMaxNewTokens(maxNewTokens);
        List<String> out = new ArrayList<>(pairs.size());
        try (var off = GradMode.off()) {
            for (int from = 0; from < pairs.size(); from += batch) {
                int to = Math.min(pairs.size(), from + batch);
                int[][] prompts = new int[to - from][];
                for (int i = from; i < to; i++) prompts[i - from] = truncate(lm.encodePrompt(pairs.get(i).prompt()), maxSource, lm.isEncoderDecoder());
                int[][] ids = Generation.generate(lm.decoder(), prompts, config, null);
                for (int i = 0; i < ids.length; i++) out.add(lm.decodeOutput(prompts[i], ids[i]));
            }
        } finally {
            if (training) lm.module().train();
        }
        return out;
    }
}

package org.crs4j.crs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.crs4j.crs.controller.ControllerModels;
import org.crs4j.crs.controller.Pair;
import org.crs4j.crs.controller.PairsFile;
import org.crs4j.crs.rlpf.Environment;
import org.crs4j.crs.rlpf.Environments;
import org.crs4j.crs.rlpf.RlpfTrainer;
import org.crs4j.models.LanguageModel;
import org.crs4j.crs.llmcrs.LlmcrsSetup;
import org.crs4j.crs.llmcrs.TurnOptions;
import org.crs4j.crs.llmcrs.TurnSample;
import org.crs4j.crs.rlpf.LlmcrsEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** `crs4j train rlpf`: REINFORCE from an environment's rewards (seed 000, §4). */
@Command(name = "rlpf", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"RLPF: fine-tunes the controller LLM with REINFORCE (seed 000, Eq. 1-5).",
                "Episodes are sampled from the model and rewarded R = λ·HIT + (1 − λ)·BLEU;",
                "the update is the batch mean of ∇log P(S)·(R − b), b the moving average of",
                "past rewards. The model is a folder from `crs4j train controller`, any",
                "T5/LLaMA folder or a Hugging Face id. --out receives a model folder, the",
                "training state for --resume and rlpf-metrics.csv."})
final class TrainRlpfCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"--controller", "--llm"}, required = true, paramLabel = "DIR|ID",
            description = "the policy: a controller folder, any T5/LLaMA folder, or a Hugging Face id (google/flan-t5-large)")
    String model;

    @Option(names = "--env", required = true, paramLabel = "SPEC",
            description = "llmcrs:DATASET (an episode is one LLMCRS turn on a training dialogue: HIT@10 and BLEU-1), "
                    + "token:PIECE (toy: HIT when the output contains that piece) or exact (HIT when it equals the pair's target)")
    String env;

    @Option(names = "--pairs", paramLabel = "FILE", description = "the cases of token: and exact, JSON Lines {\"prompt\": ..., \"target\": ...}")
    Path pairs;

    @Mixin LlmcrsOptions llmcrs = new LlmcrsOptions();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder of the trained model and its training state")
    Path out;

    @Option(names = "--train-layers", paramLabel = "REGEX",
            description = "train only parameters whose name matches, e.g. 'decoder\\.block\\.(22|23)\\..*' (default: all)")
    String trainLayers;

    @Option(names = "--steps", defaultValue = "200") int steps;
    @Option(names = "--batch-size", defaultValue = "8", description = "episodes per update") int batchSize;
    @Option(names = "--lambda", defaultValue = "0.5", description = "λ of R = λ·HIT + (1 − λ)·BLEU, in [0, 1]") double lambda;
    @Option(names = "--baseline-rate", defaultValue = "0.1", description = "weight of each new reward in the moving-average baseline") double baselineRate;
    @Option(names = "--baseline-start", defaultValue = "0", description = "baseline before the first reward") double baselineStart;
    @Option(names = "--temperature", defaultValue = "1.0", description = "sampling temperature (> 0)") double temperature;
    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus sampling mass (1 = off)") double topP;
    @Option(names = "--max-new-tokens", defaultValue = "100", description = "tokens per generated text at most") int maxNewTokens;
    @Option(names = "--lr", defaultValue = "5e-5", description = "AdamW learning rate (the paper's 5e-5)") double lr;
    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW decoupled weight decay (the paper's 0.01)") double weightDecay;
    @Option(names = "--clip", defaultValue = "1.0", description = "global gradient-norm bound") double clip;
    @Option(names = "--micro-batch", defaultValue = "8", description = "generated texts scored per forward pass") int microBatch;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--save-every", defaultValue = "50", description = "steps between saves") int saveEvery;
    @Option(names = "--resume", description = "continue the run saved in --out") boolean resume;
    @picocli.CommandLine.Mixin org.crs4j.models.cli.DeviceOption device = new org.crs4j.models.cli.DeviceOption();

    @Override
    public Integer call() throws IOException {
        var target = device.resolve(); // an unusable --device fails here, before anything is read
        RlpfTrainer.Settings settings = new RlpfTrainer.Settings(steps, batchSize, lambda, baselineRate, baselineStart, temperature,
                topP, maxNewTokens, lr, weightDecay, clip, microBatch, seed, saveEvery);
        Environments.check(env);
        boolean isLlmcrs = env.startsWith(Environments.LLMCRS);
        if (isLlmcrs && pairs != null) throw new ParameterException(spec.commandLine(), "--pairs: not with --env " + env + " (it plays the dataset's dialogues)");
        if (!isLlmcrs && pairs == null) throw new ParameterException(spec.commandLine(), "--pairs: missing (required with --env " + env + ")");
        if (isLlmcrs) llmcrs.check();
        List<Pair> cases = isLlmcrs ? List.of() : PairsFile.read(pairs);
        LlmcrsOptions.Pipeline pipeline = null;
        try (LanguageModel lm = ControllerModels.open(model)) {
            if (Files.isDirectory(out) && Files.isDirectory(lm.source()) && Files.isSameFile(lm.source(), out)) {
                throw new IllegalArgumentException("--out " + out + ": is the policy's own folder; save into another");
            }
            if (!resume && Files.exists(out.resolve("model.safetensors"))) {
                throw new IOException("--out " + out + ": holds a model already; pass --resume to continue its run, or choose another folder");
            }
            ControllerModels.trainOnly(lm, trainLayers);
            lm.module().to(target);
            Environment environment;
            if (isLlmcrs) {
                String dataset = env.substring(Environments.LLMCRS.length());
                pipeline = llmcrs.open(dataset);
                var split = LlmcrsSetup.trainingSplit(pipeline.env());
                environment = new LlmcrsEnvironment(dataset + " " + split.label(), pipeline.env(), pipeline.registry(), pipeline.prompts(),
                        pipeline.demonstrations(), pipeline.settings(), TurnOptions.greedy().withAblations(pipeline.ablations()),
                        TurnSample.of(pipeline.env(), split));
            } else environment = Environments.open(env, cases, lm, maxNewTokens);
            var results = new RlpfTrainer(lm, environment, settings, out, System.err).run(resume);
            int n = results.size(), k = Math.min(10, n);
            double first = 0, last = 0;
            int unparsed = 0;
            for (int i = 0; i < n; i++) {
                if (i < k) first += results.get(i).meanReward() / k;
                if (i >= n - k) last += results.get(i).meanReward() / k;
                unparsed += results.get(i).unparsed();
            }
            System.out.printf("saved %s: %d steps run%s; unparsed episodes %d%n", out, n,
                    n == 0 ? "" : String.format(", mean reward %.4f over the first %d and %.4f over the last %d", first, k, last, k), unparsed);
            if (n > 0) {
                org.crs4j.crs.rlpf.LearningCurve.write(out.resolve(RlpfTrainer.METRICS), out.resolve(org.crs4j.crs.rlpf.LearningCurve.FILE),
                        "RLPF on " + environment.describe().replaceFirst(",.*", "") + ", batch " + batchSize + ", λ = " + lambda);
                System.out.println("learning curve: " + out.resolve(org.crs4j.crs.rlpf.LearningCurve.FILE));
            }
            if (environment instanceof LlmcrsEnvironment l && !l.unparsedCounts().isEmpty())
                System.out.println("unparsed episodes by the fallback that made them so: " + l.unparsedCounts());
            return 0;
        } finally {
            if (pipeline != null) pipeline.env().db().close();
        }
    }
}

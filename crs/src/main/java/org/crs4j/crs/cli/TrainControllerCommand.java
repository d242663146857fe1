package org.crs4j.crs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.crs4j.crs.controller.ControllerModels;
import org.crs4j.crs.controller.Pair;
import org.crs4j.crs.controller.PairsFile;
import org.crs4j.crs.controller.SftTrainer;
import org.crs4j.models.LanguageModel;
import org.crs4j.tensor.Generator;
import org.crs4j.crs.controller.StagePairs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** `crs4j train controller`: supervised fine-tuning of the controller LLM on (prompt, target) pairs. */
@Command(name = "controller", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"Supervised fine-tuning of the controller LLM on (prompt, target) pairs.",
                "Without --init it builds crs4j's small T5 controller from scratch (bundled",
                "settings and vocabulary); with --init it continues any T5 or LLaMA folder or",
                "Hugging Face id. --out receives a model folder (config.json,",
                "model.safetensors, tokenizer), the training state for --resume and",
                "sft-metrics.csv."})
final class TrainControllerCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--pairs", paramLabel = "FILE", description = "training pairs, JSON Lines {\"prompt\": ..., \"target\": ...} (.gz too)")
    Path pairs;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "instead of --pairs: LLMCRS's stage prompts and targets from this dataset's training dialogues (redial, inspired, tgredial)")
    String dataset;

    @Option(names = "--holdout", defaultValue = "0.1", description = "with --dataset: share of the dialogues held out (seeded) for loss and stage accuracy")
    double holdout;

    @Option(names = "--max-dialogues", defaultValue = "0", description = "with --dataset: train on at most this many dialogues of a seeded shuffle (0: all)")
    int maxDialogues;

    @Mixin LlmcrsOptions llmcrs = new LlmcrsOptions();

    @Option(names = "--valid", paramLabel = "FILE", description = "held-out pairs: loss and greedy exact match after each epoch")
    Path valid;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder of the trained model and its training state")
    Path out;

    @Option(names = "--init", paramLabel = "DIR|ID", description = "start from this model instead of a new small T5")
    String init;

    @Option(names = "--config", paramLabel = "FILE", description = "T5 config.json of a new controller (default: the bundled controller-small.json)")
    Path config;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "SentencePiece .model or tokenizer.json of a new controller (default: the bundled 8k vocabulary)")
    Path tokenizer;

    @Option(names = "--train-layers", paramLabel = "REGEX", description = "train only parameters whose name matches (default: all)")
    String trainLayers;

    @Option(names = "--epochs", defaultValue = "10") int epochs;
    @Option(names = "--batch-size", defaultValue = "16") int batchSize;
    @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate (AdamW, linear warm-up and decay)") double lr;
    @Option(names = "--weight-decay", defaultValue = "0.01") double weightDecay;
    @Option(names = "--clip", defaultValue = "1.0", description = "global gradient-norm bound") double clip;
    @Option(names = "--warmup", defaultValue = "100", description = "warm-up steps") int warmup;
    @Option(names = "--max-source-tokens", defaultValue = "512") int maxSource;
    @Option(names = "--max-target-tokens", defaultValue = "100") int maxTarget;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--save-every", defaultValue = "500", description = "steps between saves") int saveEvery;
    @Option(names = "--eval-pairs", defaultValue = "200", description = "held-out pairs generated greedily per evaluation") int evalPairs;
    @Option(names = "--resume", description = "continue the run saved in --out") boolean resume;
    @picocli.CommandLine.Mixin org.crs4j.models.cli.DeviceOption device = new org.crs4j.models.cli.DeviceOption();

    @Override
    public Integer call() throws IOException {
        var target = device.resolve(); // an unusable --device fails here, before anything is read
        SftTrainer.Settings settings = new SftTrainer.Settings(epochs, batchSize, lr, weightDecay, clip, warmup, maxSource, maxTarget,
                seed, saveEvery, evalPairs);
        if (init != null && (config != null || tokenizer != null)) {
            throw new IllegalArgumentException((config != null ? "--config" : "--tokenizer") + ": only for a controller built from scratch, not with --init");
        }
        boolean scratchResume = resume && init == null;
        if (scratchResume && (config != null || tokenizer != null)) {
            throw new IllegalArgumentException((config != null ? "--config" : "--tokenizer") + ": a resumed run keeps the settings in " + out + "; leave it out");
        }
        if ((pairs == null) == (dataset == null))
            throw new ParameterException(spec.commandLine(), pairs == null ? "--pairs: missing (required unless --dataset is given)" : "--dataset: not with --pairs (one source of pairs)");
        if (dataset != null && valid != null) throw new IllegalArgumentException("--valid: with --dataset the held-out pairs come from --holdout");
        if (!(holdout >= 0 && holdout < 1)) throw new IllegalArgumentException("--holdout: " + holdout + " is outside [0, 1)");
        if (maxDialogues < 0) throw new IllegalArgumentException("--max-dialogues: " + maxDialogues + " must be >= 0");
        List<Pair> train, held;
        DatasetPairs fromData = null;
        if (dataset != null) {
            fromData = DatasetPairs.build(llmcrs, dataset, holdout, maxDialogues, seed);
            train = fromData.train().stream().map(StagePairs.Labeled::pair).toList();
            held = fromData.heldOut().stream().map(StagePairs.Labeled::pair).toList();
            System.err.println(fromData.summary());
        } else {
            train = PairsFile.read(pairs);
            held = valid == null ? List.of() : PairsFile.read(valid);
        }
        if (!resume && Files.exists(out.resolve("model.safetensors"))) {
            throw new IOException("--out " + out + ": holds a model already; pass --resume to continue its run, or choose another folder");
        }
        if (fromData != null) fromData.write(out);
        Generator dropout = null;
        LanguageModel lm;
        if (init != null) {
            lm = ControllerModels.open(init);
            if (Files.isDirectory(lm.source()) && Files.isDirectory(out) && Files.isSameFile(lm.source(), out)) {
                lm.close();
                throw new IllegalArgumentException("--out " + out + ": is the --init model's own folder; save into another");
            }
        } else {
            dropout = new Generator(seed);
            lm = scratchResume ? ControllerModels.rebuild(out, dropout) : ControllerModels.create(out, config, tokenizer, dropout);
        }
        try (lm) {
            ControllerModels.trainOnly(lm, trainLayers);
            lm.module().to(target);
            SftTrainer.Report r = new SftTrainer(lm, dropout, train, held, settings, out, System.err).run(resume);
            System.out.printf("saved %s: %d steps, last training loss %.4f%s%n", out, r.steps(), r.lastLoss(),
                    Double.isNaN(r.validLoss()) ? "" : String.format(", held-out loss %.4f per token, exact match %.4f on %d pairs",
                            r.validLoss(), r.validExactMatch(), r.validEvaluated()));
            if (fromData != null) fromData.finish(lm, out, settings);
            return 0;
        }
    }
}

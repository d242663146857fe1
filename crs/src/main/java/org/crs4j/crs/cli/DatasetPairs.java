package org.crs4j.crs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.crs4j.crs.controller.SftTrainer;
import org.crs4j.crs.controller.StageAccuracy;
import org.crs4j.crs.controller.StagePairs;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmException;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.crs.llmcrs.Llmcrs;
import org.crs4j.crs.llmcrs.LlmcrsSetup;
import org.crs4j.crs.llmcrs.Stage;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.data.prepare.PreparedDialogue;
import org.crs4j.models.LanguageModel;
import org.crs4j.tensor.io.AtomicFiles;

/**
 * {@code crs4j train controller --dataset}: the stage pairs of a dataset's training dialogues ({@link StagePairs}),
 * split by dialogue into training and held-out parts with the run's seed, and, after training, the controller's
 * detection and matching accuracy on the held-out part ({@link StageAccuracy}), printed and written to
 * {@value #ACCURACY} next to the model.
 */
record DatasetPairs(String dataset, List<StagePairs.Labeled> train, List<StagePairs.Labeled> heldOut, int dialogues, int heldOutDialogues,
                    ExpertRegistry registry) {
    static final String TRAIN = "pairs-train.jsonl", HELD_OUT = "pairs-heldout.jsonl", ACCURACY = "stage-accuracy.txt";

    /** The pipeline only builds prompts here: nothing may ask it for text. */
    private static final Llm NO_LLM = new Llm() {
        @Override public String endpoint() { return "none (building prompts only)"; }
        @Override public LlmResponse complete(LlmRequest request) { throw new LlmException("no LLM: the pairs are built from the prompts alone"); }
    };

    static DatasetPairs build(LlmcrsOptions options, String dataset, double holdout, int maxDialogues, long seed) {
        var p = options.open(dataset);
        try (var db = p.env().db()) {
            var split = p.env().data().split(LlmcrsSetup.trainingSplit(p.env()));
            if (split == null || split.dialogues().isEmpty()) throw new IllegalArgumentException("--dataset " + dataset + ": no training dialogues here");
            List<PreparedDialogue> all = split.dialogues();
            int[] order = SftTrainer.permutation(all.size(), seed, 0);
            int held = (int) Math.ceil(holdout * all.size());
            List<PreparedDialogue> heldOut = new ArrayList<>(), train = new ArrayList<>();
            for (int i = 0; i < order.length; i++) {
                if (i < held) heldOut.add(all.get(order[i]));
                else if (maxDialogues == 0 || train.size() < maxDialogues) train.add(all.get(order[i]));
            }
            Llmcrs pipeline = new Llmcrs(NO_LLM, p.env(), p.registry(), p.prompts(), p.demonstrations(), p.settings());
            return new DatasetPairs(dataset + " " + LlmcrsSetup.trainingSplit(p.env()).label(), StagePairs.of(pipeline, train, p.ablations()),
                    StagePairs.of(pipeline, heldOut, p.ablations()), train.size(), heldOut.size(), pipeline.registry());
        }
    }

    String summary() {
        return String.format(Locale.ROOT, "pairs from %s: %d training dialogues (%s), %d held-out dialogues (%s)", dataset, dialogues, counts(train),
                heldOutDialogues, counts(heldOut));
    }

    private static String counts(List<StagePairs.Labeled> pairs) {
        Map<Stage, Integer> n = new EnumMap<>(Stage.class);
        for (var l : pairs) n.merge(l.stage(), 1, Integer::sum);
        List<String> parts = new ArrayList<>();
        n.forEach((s, c) -> parts.add(c + " " + s.traceName()));
        return String.join(", ", parts);
    }

    /** Writes the pairs next to the model, so that what the controller was trained on can be read. */
    void write(Path out) throws IOException {
        Files.createDirectories(out);
        StagePairs.write(out.resolve(TRAIN), train);
        StagePairs.write(out.resolve(HELD_OUT), heldOut);
    }

    /** Measures the trained controller on the held-out pairs, prints and saves the figures. */
    void finish(LanguageModel lm, Path out, SftTrainer.Settings settings) throws IOException {
        if (heldOut.isEmpty()) return;
        var report = StageAccuracy.measure(lm, heldOut, registry, settings.batchSize(), settings.maxSourceTokens());
        StringBuilder sb = new StringBuilder(summary()).append('\n');
        for (String line : report.lines()) sb.append(line).append('\n');
        AtomicFiles.writeString(out.resolve(ACCURACY), sb.toString());
        System.out.print(sb);
    }
}

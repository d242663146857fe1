package org.crs4j.crs.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.t5.T5;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Supervised fine-tuning learns a task it could not do, measured on held-out pairs; its runs resume exactly. */
public class SftTrainerTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    /** "reverse" task: a word of 2-5 letters from a-h, written backwards; train and held-out words are distinct. */
    public static List<List<Pair>> reverseTask(int train, int held, long seed) {
        float[] u = Tensor.rand(new Generator(seed), (train + held) * 40).toFloatArray();
        Set<String> seen = new HashSet<>();
        List<Pair> all = new ArrayList<>();
        for (int k = 0; all.size() < train + held; k++) {
            int len = 2 + (int) (u[k * 6 % u.length] * 4);
            StringBuilder w = new StringBuilder();
            for (int j = 0; j < len; j++) w.append((char) ('a' + (int) (u[(k * 6 + j + 1) % u.length] * 8)));
            if (seen.add(w.toString())) all.add(new Pair(w.toString(), w.reverse().toString()));
        }
        return List.of(all.subList(0, train), all.subList(train, train + held));
    }

    /**
     * Reversing needs attention by relative position, so the held-out exact match measures real learning: an
     * untrained model gets none right. Fast version: 100 steps, at least 35% of unseen words (51% seen here).
     */
    @Test
    void learnsToReverseWordsItHasNeverSeen(@TempDir Path tmp) throws Exception {
        List<List<Pair>> task = reverseTask(500, 100, 3);
        T5 lm = ControllerModels.create(tmp, TinyT5.config(tmp, 32, 4, 8, 64, 2, 0.0), TinyT5.tokenizer(), new Generator(1));
        double before = SftTrainer.exactMatch(lm, task.get(1), 50, 64, 8);
        double lossBefore = SftTrainer.meanLoss(lm, task.get(1), 50, 64, 16);
        SftTrainer.Settings s = new SftTrainer.Settings(10, 50, 1e-2, 0.01, 1.0, 10, 64, 16, 5, 1000, 100);
        SftTrainer.Report r = new SftTrainer(lm, null, task.get(0), List.of(), s, tmp.resolve("out"), QUIET).run(false);
        double after = SftTrainer.exactMatch(lm, task.get(1), 50, 64, 8), lossAfter = SftTrainer.meanLoss(lm, task.get(1), 50, 64, 16);
        System.out.printf("reverse task, %d steps: held-out exact match %.3f -> %.3f, loss %.3f -> %.3f per token%n", r.steps(),
                before, after, lossBefore, lossAfter);
        assertTrue(before < 0.02, "an untrained model cannot reverse: " + before);
        assertTrue(after >= 0.35, "held-out exact match " + after);
        assertTrue(lossAfter < lossBefore / 4, lossBefore + " -> " + lossAfter);
        // what was saved is a normal model folder that reproduces the figure
        try (LanguageModel back = ControllerModels.open(tmp.resolve("out").toString())) {
            assertEquals(after, SftTrainer.exactMatch(back, task.get(1), 50, 64, 8), 1e-12);
        }
        List<String> log = Files.readAllLines(tmp.resolve("out").resolve(SftTrainer.METRICS));
        assertEquals(1 + r.steps(), log.size());
        assertTrue(log.get(0).startsWith("step,epoch,loss,lr,grad_norm,valid_loss,valid_exact_match"), log.get(0));
    }

    /** The same task trained longer, evaluated by the trainer after every epoch: at least 90% of unseen words. */
    @Test
    @Tag("slow")
    void learnsToReverseWordsReliably(@TempDir Path tmp) throws Exception {
        List<List<Pair>> task = reverseTask(600, 100, 3);
        T5 lm = ControllerModels.create(tmp, TinyT5.config(tmp, 32, 4, 8, 64, 2, 0.0), TinyT5.tokenizer(), new Generator(1));
        SftTrainer.Settings s = new SftTrainer.Settings(20, 32, 1e-2, 0.01, 1.0, 20, 64, 16, 5, 1000, 100);
        SftTrainer.Report r = new SftTrainer(lm, null, task.get(0), task.get(1), s, tmp.resolve("out"), QUIET).run(false);
        System.out.printf("reverse task, %d steps: held-out exact match %.3f, loss %.4f per token%n", r.steps(), r.validExactMatch(), r.validLoss());
        assertEquals(100, r.validEvaluated());
        assertTrue(r.validExactMatch() >= 0.9, "held-out exact match " + r.validExactMatch());
    }

    @Test
    void aResumedRunWithDropoutEndsBitIdentical(@TempDir Path tmp) throws Exception {
        List<Pair> pairs = reverseTask(40, 0, 8).get(0);
        SftTrainer.Settings s = new SftTrainer.Settings(3, 8, 3e-3, 0.01, 0.5, 2, 64, 16, 9, 4, 0);
        Path config = TinyT5.config(tmp.resolve("cfg"), 16, 2, 8, 32, 1, 0.2);
        Map<String, float[]> whole = train(tmp.resolve("whole"), config, pairs, s, false, Long.MAX_VALUE);
        train(tmp.resolve("parts"), config, pairs, s, false, 7); // stopped mid-epoch (5 batches an epoch), saved at 7
        Generator again = new Generator(4);
        T5 second = ControllerModels.rebuild(tmp.resolve("parts"), again);
        new SftTrainer(second, again, pairs, List.of(), s, tmp.resolve("parts"), QUIET).run(true);
        whole.forEach((n, v) -> assertArrayEquals(v, second.module().namedParameters().get(n).data().toFloatArray(), n));
        assertEquals(Files.readAllLines(tmp.resolve("whole").resolve(SftTrainer.METRICS)).stream().map(SftTrainerTest::withoutTime).toList(),
                Files.readAllLines(tmp.resolve("parts").resolve(SftTrainer.METRICS)).stream().map(SftTrainerTest::withoutTime).toList());
        // other data: refused before anything changes, naming what differs
        List<Pair> other = reverseTask(41, 0, 8).get(0);
        IOException e = assertThrows(IOException.class, () -> new SftTrainer(second, again, other, List.of(), s, tmp.resolve("parts"), QUIET).run(true));
        assertTrue(e.getMessage().contains("train_pairs") && e.getMessage().contains("40 pairs"), e.getMessage());
    }

    private static String withoutTime(String csvLine) {
        return csvLine.substring(0, csvLine.lastIndexOf(','));
    }

    private static Map<String, float[]> train(Path dir, Path config, List<Pair> pairs, SftTrainer.Settings s, boolean resume, long stopAt)
            throws IOException {
        Generator dropout = new Generator(4);
        T5 lm = ControllerModels.create(dir, config, TinyT5.tokenizer(), dropout);
        new SftTrainer(lm, dropout, pairs, List.of(), s, dir, QUIET).run(resume, stopAt);
        Map<String, float[]> out = new LinkedHashMap<>();
        lm.module().namedParameters().forEach((n, p) -> out.put(n, p.data().toFloatArray()));
        return out;
    }

    @Test
    void refusesPairsWithoutTargetsAndResumingOnOtherData(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\": \"a\", \"target\": \"b\"}\n\n{\"prompt\": \"c\", \"target\": \"  \"}\n");
        IOException e = assertThrows(IOException.class, () -> PairsFile.read(bad));
        assertEquals(bad + ": line 3: \"target\" is empty: a pair without a response teaches nothing", e.getMessage());
        Files.writeString(bad, "{\"prompt\": \"a\"}\n");
        assertEquals(bad + ": line 1: \"target\" is missing", assertThrows(IOException.class, () -> PairsFile.read(bad)).getMessage());
        Files.writeString(bad, "{\"prompt\": \"a\", \"target\": 3}\n");
        assertTrue(assertThrows(IOException.class, () -> PairsFile.read(bad)).getMessage().contains("line 1: \"target\" must be a string"));
        Files.writeString(bad, "not json\n");
        assertTrue(assertThrows(IOException.class, () -> PairsFile.read(bad)).getMessage().startsWith(bad + ": line 1: not JSON"));
    }
}

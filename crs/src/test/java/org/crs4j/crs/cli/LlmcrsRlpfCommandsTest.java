package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.crs4j.crs.controller.TinyT5;
import org.crs4j.crs.llmcrs.LlmcrsFixture;
import org.crs4j.crs.llmcrs.TurnRecord;
import org.crs4j.crs.rlpf.LearningCurve;
import org.crs4j.crs.rlpf.RlpfTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LLMCRS with a trained controller through {@code crs4j}'s entry point, on the tiny INSPIRED-form fixture: SFT on the
 * stage pairs of the dataset with held-out stage accuracy, RLPF whose episodes are LLMCRS turns, and the evaluation
 * with its per-sample files and paired comparison; the options' errors in the conventions' one line.
 */
class LlmcrsRlpfCommandsTest {

    /** The fixture, and prompts cut to their slots: the tiny test tokenizer spells them out one character at a time. */
    private static List<String> data(Path tmp) throws Exception {
        LlmcrsFixture.write(tmp.resolve("data"));
        Path prompts = Files.createDirectories(tmp.resolve("prompts"));
        Files.writeString(prompts.resolve("detection.txt"), "{{subtask_list}}{{#demonstrations}}{{demonstrations}}{{/demonstrations}}{{dialogue_context}}");
        Files.writeString(prompts.resolve("demonstration.txt"), "{{dialogue_context}}={{subtask}}");
        Files.writeString(prompts.resolve("matching.txt"), "{{subtask_goal}}{{experts}}");
        Files.writeString(prompts.resolve("response.txt"), "{{dialogue_context}}{{subtask_name}}{{expert}}{{subtask_output}}");
        return List.of("--data-dir", tmp.resolve("data").toString(), "--cache-dir", tmp.resolve("cache").toString(), "--prompts", prompts.toString(),
                "--context-turns", "1", "--words-per-turn", "4");
    }

    private static String[] args(List<String> data, String... more) {
        List<String> a = new ArrayList<>(List.of(more));
        a.addAll(data);
        return a.toArray(String[]::new);
    }

    @Test
    void sftFromTheDatasetThenRlpfOnLlmcrsTurnsThenEvaluation(@TempDir Path tmp) throws Exception {
        List<String> data = data(tmp);
        Path controller = tmp.resolve("controller");
        var sft = MainTokenizeTest.main("", args(data, "train", "controller", "--dataset", "inspired", "--holdout", "0.5", "--out", controller.toString(),
                "--config", TinyT5.config(tmp.resolve("cfg"), 16, 2, 8, 32, 1, 0.0).toString(), "--tokenizer", TinyT5.tokenizer().toString(),
                "--epochs", "1", "--batch-size", "4", "--warmup", "1", "--eval-pairs", "2", "--max-source-tokens", "2000"));
        assertEquals(0, sft.exit(), sft.err());
        assertTrue(sft.err().contains("pairs from inspired train: 1 training dialogues ("), sft.err());
        assertTrue(sft.out().contains("detection, sub-task: ") && sft.out().contains("held-out pairs"), sft.out());
        assertTrue(sft.out().contains("detection, sub-task and arguments: "), sft.out());
        assertTrue(Files.readString(controller.resolve(DatasetPairs.ACCURACY)).contains("detection, sub-task"));
        List<String> lines = Files.readAllLines(controller.resolve(DatasetPairs.TRAIN));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"stage\":\"detection\"")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"stage\":\"response\"")), lines.toString());

        Path rlpf = tmp.resolve("rlpf");
        var rl = MainTokenizeTest.main("", args(data, "train", "rlpf", "--controller", controller.toString(), "--env", "llmcrs:inspired",
                "--out", rlpf.toString(), "--steps", "2", "--batch-size", "2", "--max-new-tokens", "4", "--lr", "1e-3"));
        assertEquals(0, rl.exit(), rl.err());
        assertTrue(rl.out().startsWith("saved " + rlpf + ": 2 steps run"), rl.out());
        assertEquals(3, Files.readAllLines(rlpf.resolve(RlpfTrainer.METRICS)).size(), "a header and two steps");
        byte[] png = Files.readAllBytes(rlpf.resolve(LearningCurve.FILE));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        assertTrue(rl.err().contains("llmcrs environment: inspired train, 3 recommender turns with targets; HIT@10 and BLEU-1"), rl.err());

        Path turns = tmp.resolve("turns.jsonl"), predictions = tmp.resolve("predictions.jsonl");
        var ev = MainTokenizeTest.main("", args(data, "eval", "llmcrs", "--dataset", "inspired", "--llm", rlpf.toString(),
                "--turns", turns.toString(), "--predictions", predictions.toString()));
        assertEquals(0, ev.exit(), ev.err());
        assertTrue(ev.out().startsWith("LLMCRS on inspired test: 2 turns, 2 ranking samples; controller "), ev.out());
        for (String row : new String[] {"Recall@10", "NDCG@50", "BLEU-1", "BLEU-2", "Dist-1", "Dist-2", "per turn (n = 2"})
            assertTrue(ev.out().contains(row), row + " in " + ev.out());
        var records = TurnRecord.read(turns);
        assertEquals(2, records.size());
        assertEquals(List.of(1, 3), records.stream().map(TurnRecord::turn).toList());
        assertEquals(2, Files.readAllLines(predictions).size());
        // the same greedy controller again, against the first run: identical turns, so every test says no difference
        var again = MainTokenizeTest.main("", args(data, "eval", "llmcrs", "--dataset", "inspired", "--llm", rlpf.toString(), "--against", turns.toString()));
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("paired against " + turns + ": 2 common turns (0 only here, 0 only there)"), again.out());
        assertTrue(again.out().contains("t = 0.00, p = 1.0000"), again.out());
    }

    @Test
    void badOptionsAreOneLine(@TempDir Path tmp) throws Exception {
        List<String> data = data(tmp);
        var env = MainTokenizeTest.main("", args(data, "train", "rlpf", "--controller", "x", "--env", "llmcrs:nope", "--out", tmp.resolve("o").toString()));
        assertEquals(1, env.exit());
        assertTrue(env.err().strip().startsWith("crs4j train rlpf: --env llmcrs:nope: \"nope\" is not a dataset ("), env.err());
        var pairs = MainTokenizeTest.main("", args(data, "train", "rlpf", "--controller", "x", "--env", "llmcrs:inspired", "--pairs", "p.jsonl",
                "--out", tmp.resolve("o").toString()));
        assertEquals(2, pairs.exit(), "a usage error");
        assertEquals("crs4j train rlpf: --pairs: not with --env llmcrs:inspired (it plays the dataset's dialogues)", pairs.err().strip().lines().findFirst().orElse(""));
        var neither = MainTokenizeTest.main("", args(data, "train", "controller", "--out", tmp.resolve("o").toString()));
        assertEquals(2, neither.exit(), "a usage error");
        assertEquals("crs4j train controller: --pairs: missing (required unless --dataset is given)", neither.err().strip().lines().findFirst().orElse(""));
        var lambda = MainTokenizeTest.main("", args(data, "eval", "llmcrs", "--dataset", "inspired", "--llm", "x", "--lambda", "1.5"));
        assertEquals("crs4j eval llmcrs: --lambda: 1.5 is outside [0, 1]", lambda.err().strip());
        var turns = MainTokenizeTest.main("", args(data, "eval", "llmcrs", "--dataset", "inspired", "--llm", "x", "--turns", tmp.resolve("no/t.jsonl").toString()));
        assertEquals(1, turns.exit());
        assertTrue(turns.err().strip().startsWith("crs4j eval llmcrs: --turns " + tmp.resolve("no/t.jsonl") + ": folder "), turns.err());
        Files.writeString(tmp.resolve("bad.jsonl"), "{\"dialogue\": \"d\", \"turn\": 1, \"parsed\": true, \"hit@10\": 2, \"bleu-1\": 0, \"bleu-2\": 0}\n");
        var against = MainTokenizeTest.main("", args(data, "eval", "llmcrs", "--dataset", "inspired", "--llm", "x", "--against", tmp.resolve("bad.jsonl").toString()));
        assertEquals("crs4j eval llmcrs: " + tmp.resolve("bad.jsonl") + ": line 1: field hit@10: expected a number in [0, 1], got 2", against.err().strip());
    }
}

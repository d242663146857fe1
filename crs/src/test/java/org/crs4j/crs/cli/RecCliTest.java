package org.crs4j.crs.cli;

import static org.crs4j.crs.cli.CliRun.run;

import org.crs4j.crs.cli.CliRun.Run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.crs4j.crs.rec.TinyDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `crs4j train rec`, `eval rec`, `score` and `diagnose causal` through Main.run on a generated dataset, as a user
 * runs them: what they print, the files they write, and one clear line (no stack trace) for each bad input.
 */
class RecCliTest {
    @TempDir static Path shared;
    @TempDir Path dir;
    static Path model, data, cache;


    static String[] withData(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 4);
        all[args.length] = "--data-dir";
        all[args.length + 1] = data.toString();
        all[args.length + 2] = "--cache-dir";
        all[args.length + 3] = cache.toString();
        return all;
    }

    @BeforeAll
    static void train() {
        data = TinyDataset.write(shared.resolve("data"), 120, 24, 30);
        cache = shared.resolve("cache");
        model = shared.resolve("model");
        Run r = run(withData("train", "rec", "--dataset", "inspired", "--epochs", "3", "--out", model.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("training full: "), r.out());
        assertEquals(3, r.out().lines().filter(l -> l.matches("epoch \\d: loss .* \\| valid Recall@1/10/50 .*")).count(), r.out());
        assertTrue(r.out().contains("model: best epoch "), r.out());
    }

    @Test
    void evalPrintsTheTableAndScoreRecomputesItExactlyFromThePredictions() throws Exception {
        Path predictions = dir.resolve("full.jsonl");
        // the catalogue has 24 films, so the lists hold 24 and K stops there
        Run eval = run(withData("eval", "rec", "--model", model.toString(), "--predictions", predictions.toString(), "--k", "1,10,20"));
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().startsWith("causal-full on inspired test: 30 samples (0 with an empty context, answered by popularity)"), eval.out());
        List<String> evalTable = eval.out().lines().filter(l -> l.matches("(Recall|MRR|NDCG)@\\d+ .*")).toList();
        assertEquals(9, evalTable.size(), eval.out());
        assertEquals(30, Files.readAllLines(predictions).size());

        Run score = run("score", "--predictions", predictions.toString(), "--k", "1,10,20");
        assertEquals(0, score.code(), score.err());
        assertEquals(evalTable, score.out().lines().filter(l -> l.matches("(Recall|MRR|NDCG)@\\d+ .*")).toList());
        assertTrue(score.out().lines().anyMatch(l -> l.startsWith("metric ") && l.contains("full.jsonl")), score.out());

        Path popularity = dir.resolve("popularity.jsonl");
        Run pop = run(withData("eval", "rec", "--model", "popularity", "--dataset", "inspired", "--predictions", popularity.toString(), "--k", "1,5"));
        assertEquals(0, pop.code(), pop.err());
        assertTrue(pop.out().startsWith("popularity on inspired test: 30 samples"), pop.out());
        assertTrue(pop.out().contains("Recall@5 "), pop.out());

        Run paired = run(withData("score", "--predictions", predictions.toString(), "--against", popularity.toString(), "--k", "1,10", "--dataset", "inspired"));
        assertEquals(0, paired.code(), paired.err());
        assertTrue(paired.out().contains("paired t-test (two-sided) over 30 common samples (0 only in full.jsonl, 0 only in popularity.jsonl):"), paired.out());
        assertTrue(paired.out().lines().anyMatch(l -> l.matches("Recall@1 +\\d\\.\\d{4} +\\d\\.\\d{4} +[-+]\\d\\.\\d{4} +\\S+ +\\S+")), paired.out());

        // several files (seeds): a column of mean ± std across them, and pairs by position
        Run seeds = run("score", "--predictions", predictions.toString(), popularity.toString(), "--k", "1,10");
        assertEquals(0, seeds.code(), seeds.err());
        String recall1 = seeds.out().lines().filter(l -> l.startsWith("Recall@1 ")).findFirst().orElseThrow();
        assertTrue(recall1.matches("Recall@1 +\\S+ \\[\\S+, \\S+\\] +\\S+ \\[\\S+, \\S+\\] +\\d\\.\\d{4} ± \\d\\.\\d{4}"), recall1);
        assertTrue(seeds.out().contains("mean ± std (2 files)"), seeds.out());
        Run mismatch = run("score", "--predictions", predictions.toString(), popularity.toString(), "--against", popularity.toString());
        assertEquals(1, mismatch.code());
        assertEquals("crs4j score: --against: 1 files for 2 --predictions files (they pair by position)", mismatch.errLines().getFirst());
    }

    @Test
    void diagnoseWritesTheFigureAndItsNumbers() throws Exception {
        Path out = dir.resolve("diag");
        Run r = run(withData("diagnose", "causal", "--model", model.toString(), "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("causal-full on inspired test: 30 samples; "), r.out());
        byte[] pngMagic = {(byte) 0x89, 'P', 'N', 'G'};
        for (String png : List.of("delta-rank-heatmap.png", "kl-by-rank.png")) {
            byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(out.resolve(png)), 4);
            assertArrayEquals(pngMagic, head, png);
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(out.resolve(png).toFile());
            assertTrue(img.getWidth() >= 800 && img.getHeight() >= 500, png);
        }
        List<String> samples = Files.readAllLines(out.resolve("samples.csv"));
        assertEquals("dialogue,turn,target,context_entities,rank,rank_intervened,delta_rank,kl", samples.getFirst());
        assertEquals(10 + 1, samples.size(), "every third dialogue has two context entities");
        assertEquals(10 * 21 + 1, Files.readAllLines(out.resolve("delta-rank-heatmap.csv")).size());
        assertEquals(2 * 5 + 1, Files.readAllLines(out.resolve("kl-by-rank.csv")).size());
    }

    private static void assertOneLineError(Run r, String expected) {
        assertTrue(r.code() != 0, "exit code 0 for: " + expected);
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().getFirst().startsWith(expected), "expected a line starting with\n" + expected + "\nbut got\n" + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void badInputsGiveOneLineAndDamageNothing() throws Exception {
        Path existing = dir.resolve("keep.jsonl");
        Files.writeString(existing, "precious\n");
        Path missing = dir.resolve("nowhere");
        assertOneLineError(run(withData("eval", "rec", "--model", missing.toString(), "--predictions", existing.toString())),
                "crs4j eval rec: " + missing + ": no such model directory");
        assertEquals("precious\n", Files.readString(existing));
        assertOneLineError(run(withData("eval", "rec", "--model", model.toString(), "--k", "0")),
                "crs4j eval rec: --k: 0 is not a valid cut-off (1..50, the length of the ranked lists)");
        assertOneLineError(run(withData("eval", "rec", "--model", model.toString(), "--split", "train")),
                "crs4j eval rec: --split: must be test or valid, not train");
        assertOneLineError(run(withData("eval", "rec", "--model", model.toString(), "--dataset", "redial")),
                "crs4j eval rec: --dataset redial: " + model + " was trained on inspired");
        assertOneLineError(run(withData("eval", "rec", "--model", model.toString(), "--predictions", dir.resolve("no/such/p.jsonl").toString())),
                "crs4j eval rec: --predictions " + dir.resolve("no/such/p.jsonl") + ": folder " + dir.resolve("no/such") + " does not exist");
        assertOneLineError(run(withData("train", "rec", "--dataset", "inspired", "--variant", "big")),
                "crs4j train rec: --variant: unknown variant big (use full, no-causal, kbrd)");
        assertOneLineError(run(withData("train", "rec", "--dataset", "inspired", "--out", model.toString())),
                "crs4j train rec: --out " + model + ": already holds a model; pass --resume");
        assertOneLineError(run(withData("train", "rec", "--resume", "--out", model.toString(), "--variant", "kbrd")),
                "crs4j train rec: --variant kbrd: " + model + " holds a full run; resume it as it is");
        Run notInt = run("train", "rec", "--epochs", "x");
        assertEquals(2, notInt.code(), notInt.err());
        assertEquals(List.of("crs4j train rec: --epochs: 'x' is not an int", "Try 'crs4j train rec --help' for more information."),
                notInt.errLines());

        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"dialogue\": \"d\", \"turn\": 1, \"target\": \"a\", \"ranked\": [\"a\"]}\n{oops\n");
        assertOneLineError(run("score", "--predictions", bad.toString()), "crs4j score: " + bad + ": line 2: not valid JSON");
        Path dup = dir.resolve("dup.jsonl");
        String line = "{\"dialogue\": \"d\", \"turn\": 1, \"target\": \"a\", \"ranked\": [\"a\"]}\n";
        Files.writeString(dup, line + line);
        assertOneLineError(run("score", "--predictions", dup.toString()), "crs4j score: " + dup + ": line 2: duplicate sample (dialogue d turn 1 target a), first on line 1");
        Path one = dir.resolve("one.jsonl");
        Files.writeString(one, line);
        assertOneLineError(run("score", "--predictions", one.toString(), "--k", "0"), "crs4j score: --k: 0 is not a valid cut-off (K must be >= 1)");
        assertOneLineError(run(withData("score", "--predictions", one.toString(), "--k", "1", "--dataset", "inspired")),
                "crs4j score: " + one + ": line 1: field target: unknown item \"a\"");
        assertOneLineError(run("score"), "crs4j score: give --predictions FILE (ranked recommendations), or --hypotheses FILE --references FILE (text)");
        assertOneLineError(run("score", "--predictions", one.toString(), "--hypotheses", one.toString()),
                "crs4j score: --predictions and --hypotheses/--references are two modes: give one");
        assertOneLineError(run(withData("eval", "rec", "--model", model.toString(), "--k", "30")),
                "crs4j eval rec: --k: 30 is not a valid cut-off (1..24, the length of the ranked lists)");
    }
    /** --device is checked before any data is read or anything written; an absent GPU is one line naming the option. */
    @Test
    void deviceIsCheckedFirstAndAnAbsentGpuIsOneLine() {
        Path out = dir.resolve("never");
        assertOneLineError(run(withData("train", "rec", "--dataset", "inspired", "--out", out.toString(), "--device", "gpu")),
                "crs4j train rec: --device: unknown device 'gpu': expected cpu, cuda or cuda:N");
        assertOneLineError(run(withData("eval", "rec", "--model", model.toString(), "--device", "cuda:x")),
                "crs4j eval rec: --device: unknown device");
        if (!org.crs4j.tensor.cuda.CudaProbe.available()) {
            String reason = org.crs4j.tensor.cuda.CudaProbe.probe().reason();
            assertOneLineError(run(withData("train", "rec", "--dataset", "inspired", "--out", out.toString(), "--device", "cuda")),
                    "crs4j train rec: --device cuda: cuda:0 is not usable: " + reason);
            assertOneLineError(run(withData("eval", "rec", "--model", model.toString(), "--device", "cuda:1")),
                    "crs4j eval rec: --device cuda:1: cuda:1 is not usable: " + reason);
            assertOneLineError(run(withData("diagnose", "causal", "--model", model.toString(), "--out", out.toString(), "--device", "cuda")),
                    "crs4j diagnose causal: --device cuda: cuda:0 is not usable: " + reason);
        }
        assertFalse(Files.exists(out), "nothing written");
    }

    /** train rec and eval rec with --device on a GPU-less CUDA backend: the commands' wiring to CUDA, not the numbers. */
    @Test
    void trainAndEvalRunOnTheDeviceTheyAreGiven() throws Exception {
        Path out = dir.resolve("on-device");
        try (org.crs4j.tensor.cuda.GpuLessCuda cuda = new org.crs4j.tensor.cuda.GpuLessCuda(31)) {
            Run train = run(withData("train", "rec", "--dataset", "inspired", "--epochs", "1", "--out", out.toString(), "--device", "cuda:31"));
            assertEquals(0, train.code(), train.err());
            assertTrue(cuda.driver.launches.stream().anyMatch(l -> l.kernel().equals("adam_f32")), "the updates ran on the device");
            assertTrue(Files.isRegularFile(out.resolve("checkpoint.safetensors")), "the checkpoint came back from the device");
            int before = cuda.driver.launches.size();
            Run eval = run(withData("eval", "rec", "--model", out.toString(), "--k", "1,10", "--device", "cuda:31"));
            assertEquals(0, eval.code(), eval.err());
            assertTrue(cuda.driver.launches.stream().skip(before).anyMatch(l -> l.kernel().equals("spmm_f32")), "H was computed on the device");
        }
    }
}

package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.crs4j.crs.controller.ControllerModels;
import org.crs4j.crs.controller.SftTrainer;
import org.crs4j.crs.controller.TinyT5;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.Llms;
import org.crs4j.crs.llm.Sampling;
import org.crs4j.crs.rlpf.RlpfTrainer;
import org.crs4j.models.LanguageModel;
import org.crs4j.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `crs4j train controller` and `crs4j train rlpf` through the real entry point, as a user runs them. */
class TrainCommandTest {

    private static Path pairs(Path dir) throws Exception {
        Path p = dir.resolve("pairs.jsonl");
        StringBuilder sb = new StringBuilder();
        String[] words = {"abc", "hello", "zz9", "q", "movie", "jaws", "rec", "ask", "chat", "xy", "k2", "bond"};
        for (String w : words) sb.append("{\"prompt\": \"").append(w).append("\", \"target\": \"").append(new StringBuilder(w).reverse()).append("\", \"id\": 1}\n");
        Files.writeString(p, sb.toString());
        return p;
    }

    private static String[] controllerArgs(Path tmp, Path out, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("train", "controller", "--pairs", pairs(tmp).toString(), "--out", out.toString(),
                "--config", TinyT5.config(tmp.resolve("cfg"), 16, 2, 8, 32, 1, 0.1).toString(), "--tokenizer", TinyT5.tokenizer().toString(),
                "--batch-size", "4", "--warmup", "2", "--save-every", "2"));
        if (!List.of(more).contains("--epochs")) args.addAll(List.of("--epochs", "2"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void trainsAControllerThenRlpfFromItAndResumes(@TempDir Path tmp) throws Exception {
        Path controller = tmp.resolve("controller");
        MainTokenizeTest.Result sft = MainTokenizeTest.main("", controllerArgs(tmp, controller, "--valid", pairs(tmp).toString(), "--eval-pairs", "5"));
        assertEquals(0, sft.exit(), sft.err());
        assertTrue(sft.out().startsWith("saved " + controller + ": 6 steps, last training loss "), sft.out());
        assertTrue(sft.out().contains("exact match") && sft.out().contains("on 5 pairs"), sft.out());
        assertTrue(sft.err().contains("supervised fine-tuning: 12 pairs, 2 epochs of 3 batches of 4"), sft.err());
        assertTrue(sft.err().contains("sft") && sft.err().contains("samples/s") && sft.err().contains("loss"), sft.err());
        for (String f : new String[] {"config.json", "generation_config.json", "spiece.model", "model.safetensors", SftTrainer.STATE, SftTrainer.METRICS}) {
            assertTrue(Files.isRegularFile(controller.resolve(f)), f);
        }
        try (LanguageModel lm = ControllerModels.open(controller.toString())) {
            assertEquals(64, lm.decoder().vocabSize());
        }
        // the shared LLM contract opens it like any model folder
        try (Llm llm = Llms.open(controller.toString())) {
            var answer = llm.complete(new LlmRequest("detection", "abc", Sampling.greedy(6)));
            assertTrue(answer.outputIds().length >= 1 && answer.outputIds().length <= 6, Arrays.toString(answer.outputIds()));
        }
        // the same folder again: refused, nothing overwritten
        byte[] weights = Files.readAllBytes(controller.resolve("model.safetensors"));
        MainTokenizeTest.Result again = MainTokenizeTest.main("", controllerArgs(tmp, controller));
        assertEquals(1, again.exit());
        assertEquals("crs4j train controller: --out " + controller + ": holds a model already; pass --resume to continue its run, or choose another folder",
                again.err().strip());
        assertTrue(Arrays.equals(weights, Files.readAllBytes(controller.resolve("model.safetensors"))));

        Path rlpf = tmp.resolve("rlpf");
        String[] rl = {"train", "rlpf", "--controller", controller.toString(), "--env", "token:a", "--pairs", pairs(tmp).toString(),
                "--out", rlpf.toString(), "--steps", "3", "--batch-size", "4", "--lambda", "1", "--max-new-tokens", "4", "--lr", "1e-3",
                "--train-layers", "decoder\\..*"};
        MainTokenizeTest.Result r = MainTokenizeTest.main("", rl);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("saved " + rlpf + ": 3 steps run, mean reward "), r.out());
        assertTrue(r.err().contains("RLPF: token environment") && r.err().contains("3 steps of 4 episodes, λ 1.0"), r.err());
        assertTrue(r.err().contains("rlpf") && r.err().contains("reward") && r.err().contains("baseline") && r.err().contains("samples/s"), r.err());
        assertEquals(4, Files.readAllLines(rlpf.resolve(RlpfTrainer.METRICS)).size());
        // five steps in all: two more from the saved state
        rl[11] = "5"; // --steps
        MainTokenizeTest.Result more = MainTokenizeTest.main("", append(rl, "--resume"));
        assertEquals(0, more.exit(), more.err());
        assertTrue(more.out().startsWith("saved " + rlpf + ": 2 steps run"), more.out());
        assertEquals(6, Files.readAllLines(rlpf.resolve(RlpfTrainer.METRICS)).size());

        // resuming with another policy (another vocabulary): refused, naming what differs
        Path other = tmp.resolve("other");
        MainTokenizeTest.Result big = MainTokenizeTest.main("", "train", "controller", "--pairs", pairs(tmp).toString(), "--out", other.toString(),
                "--config", TinyT5.config(tmp.resolve("cfg2"), 16, 2, 8, 32, 1, 0.1).toString(), "--epochs", "1", "--batch-size", "12", "--warmup", "0");
        assertEquals(0, big.exit(), big.err());
        rl[3] = other.toString();
        MainTokenizeTest.Result mixed = MainTokenizeTest.main("", append(rl, "--resume"));
        assertEquals(1, mixed.exit());
        String line = mixed.err().strip();
        assertTrue(line.startsWith("crs4j train rlpf: " + rlpf.resolve(RlpfTrainer.STATE) + ": saved with model \"t5 vocab 64"), line);
        assertTrue(line.contains("this run has \"t5 vocab 8000"), line);
        assertEquals(1, line.lines().count());
    }

    /** The same command on a LLaMA (stories260K, BF16 in shards): chosen layers widened to F32, trained, saved as a folder. */
    @Test
    void rlpfTrainsChosenLayersOfABf16LlamaAndSavesAFolder(@TempDir Path tmp) throws Exception {
        String shared = System.getProperty("crs4j.shared");
        Path model = shared == null ? null : Path.of(shared, "models", "stories260K", "hf-bf16-sharded");
        assumeTrue(model != null && Files.isDirectory(model), "stories260K not found under crs4j.shared=" + shared);
        Path prompts = tmp.resolve("stories.jsonl");
        Files.writeString(prompts, "{\"prompt\": \"Once upon a time\", \"target\": \"-\"}\n{\"prompt\": \"Lily saw a big dog\", \"target\": \"-\"}\n");
        Path out = tmp.resolve("rlpf");
        MainTokenizeTest.Result r = MainTokenizeTest.main("", "train", "rlpf", "--llm", model.toString(), "--env", "token:▁the", "--pairs",
                prompts.toString(), "--out", out.toString(), "--steps", "2", "--batch-size", "2", "--max-new-tokens", "8", "--lambda", "1",
                "--baseline-start", "0.5", "--lr", "1e-2", "--train-layers", "model\\.layers\\.4\\..*|model\\.norm\\.weight");
        assertEquals(0, r.exit(), r.err());
        List<String> log = Files.readAllLines(out.resolve(RlpfTrainer.METRICS));
        assertTrue(log.get(1).contains(",true,") && log.get(2).contains(",true,"), "both steps updated: " + log);
        try (LanguageModel before = ControllerModels.open(model.toString()); LanguageModel after = ControllerModels.open(out.toString())) {
            assertTrue(!after.isEncoderDecoder());
            var b = before.module().namedParameters();
            after.module().namedParameters().forEach((n, p) -> {
                boolean same = Arrays.equals(b.get(n).data().toFloatArray(), p.data().toFloatArray());
                boolean trained = n.startsWith("model.layers.4.") || n.equals("model.norm.weight");
                assertEquals(!trained, same, n + (trained ? " was trained but did not change" : " was frozen but changed"));
                assertEquals(trained ? DType.F32 : DType.BF16, p.data().dtype(), n);
            });
        }
    }

    private static String[] append(String[] a, String... more) {
        String[] out = Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, out, a.length, more.length);
        return out;
    }

    @Test
    void badInputIsOneLineNamingTheOptionOrFileBeforeAnythingIsWritten(@TempDir Path tmp) throws Exception {
        Path controller = tmp.resolve("controller");
        assertEquals(0, MainTokenizeTest.main("", controllerArgs(tmp, controller, "--epochs", "1")).exit());
        Path out = tmp.resolve("rlpf");
        String[] base = {"train", "rlpf", "--controller", controller.toString(), "--pairs", pairs(tmp).toString(), "--out", out.toString()};

        MainTokenizeTest.Result lambda = MainTokenizeTest.main("", append(base, "--env", "exact", "--lambda", "1.5"));
        assertEquals(1, lambda.exit());
        assertEquals("crs4j train rlpf: --lambda: 1.5 is outside [0, 1]", lambda.err().strip());
        assertFalse(Files.exists(out), "nothing is written for a refused run");

        MainTokenizeTest.Result noPairs = MainTokenizeTest.main("", "train", "rlpf", "--controller", controller.toString(), "--env", "exact",
                "--out", out.toString());
        assertEquals(2, noPairs.exit());
        assertEquals("crs4j train rlpf: --pairs: missing (required with --env exact)\nTry 'crs4j train rlpf --help' for more information.",
                noPairs.err().strip());
        MainTokenizeTest.Result env = MainTokenizeTest.main("", append(base, "--env", "bleu"));
        assertEquals("crs4j train rlpf: --env: \"bleu\" is not an environment (token:PIECE, exact or llmcrs:DATASET)", env.err().strip());
        MainTokenizeTest.Result piece = MainTokenizeTest.main("", append(base, "--env", "token:nope"));
        assertTrue(piece.err().strip().startsWith("crs4j train rlpf: --env token:nope: \"nope\" is not a piece of the model's vocabulary"), piece.err());
        MainTokenizeTest.Result greedy = MainTokenizeTest.main("", append(base, "--env", "exact", "--temperature", "0"));
        assertTrue(greedy.err().strip().startsWith("crs4j train rlpf: --temperature: 0.0 must be > 0"), greedy.err());
        MainTokenizeTest.Result layers = MainTokenizeTest.main("", append(base, "--env", "exact", "--train-layers", "nothing\\.here"));
        assertTrue(layers.err().strip().startsWith("crs4j train rlpf: --train-layers: no parameter matches \"nothing\\.here\""), layers.err());
        MainTokenizeTest.Result noResume = MainTokenizeTest.main("", append(base, "--env", "exact", "--resume"));
        assertTrue(noResume.err().strip().endsWith("rlpf-state.safetensors: no training state to resume (run without --resume first)"), noResume.err());

        // a controller whose tokenizer comes from another vocabulary
        Path mixed = tmp.resolve("mixed");
        Files.createDirectories(mixed);
        for (String f : new String[] {"config.json", "generation_config.json", "model.safetensors"}) Files.copy(controller.resolve(f), mixed.resolve(f));
        try (var in = ControllerModels.class.getResourceAsStream("/org/crs4j/crs/controller/" + ControllerModels.TOKENIZER)) {
            Files.write(mixed.resolve("spiece.model"), in.readAllBytes());
        }
        MainTokenizeTest.Result vocab = MainTokenizeTest.main("", "train", "rlpf", "--controller", mixed.toString(), "--env", "exact",
                "--pairs", pairs(tmp).toString(), "--out", out.toString());
        assertEquals(1, vocab.exit());
        assertEquals("crs4j train rlpf: " + mixed.resolve("config.json") + ": vocab_size: 64, but the tokenizer (SentencePiece unigram"
                + " tokenizer " + mixed.resolve("spiece.model") + ") has 8000 ids, 7936 of them ordinary tokens past the embedding (the first:"
                + " id 64)", vocab.err().strip());

        // a dataset without responses
        Path empty = tmp.resolve("empty.jsonl");
        Files.writeString(empty, "{\"prompt\": \"abc\", \"target\": \"cba\"}\n{\"prompt\": \"what now?\", \"target\": \"\"}\n");
        MainTokenizeTest.Result noTarget = MainTokenizeTest.main("", "train", "controller", "--pairs", empty.toString(), "--out", tmp.resolve("c2").toString());
        assertEquals(1, noTarget.exit());
        assertEquals("crs4j train controller: " + empty + ": line 2: \"target\" is empty: a pair without a response teaches nothing", noTarget.err().strip());
        assertFalse(Files.exists(tmp.resolve("c2")));
        assertFalse(noTarget.err().contains("\tat "));

        // a malformed option: one line naming it and a pointer to --help, without the usage text
        MainTokenizeTest.Result notANumber = MainTokenizeTest.main("", append(base, "--env", "exact", "--lambda", "half"));
        assertEquals(2, notANumber.exit());
        assertEquals("crs4j train rlpf: --lambda: 'half' is not a double\nTry 'crs4j train rlpf --help' for more information.",
                notANumber.err().strip());
    }
}

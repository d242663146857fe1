package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `crs4j generate` through the real entry point on the shared stories260K checkpoint. */
class MainGenerateTest {

    private static Path stories() {
        String root = System.getProperty("crs4j.shared");
        Path p = root == null ? null : Path.of(root, "models", "stories260K");
        assumeTrue(p != null && Files.isRegularFile(p.resolve("reference.json")), "stories260K not found under crs4j.shared=" + root);
        return p;
    }

    @Test
    void greedyGenerationStreamsTheReferenceTextAndReportsSpeed() throws Exception {
        Path dir = stories();
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile()).get("prompt");
        String prompt = ref.get("text").asText();
        for (String[] model : new String[][] {{"--model", dir.resolve("hf").toString()},
                {"--model", dir.resolve("stories260K.bin").toString(), "--tokenizer", dir.resolve("tok512.bin").toString()}}) {
            String[] args = new String[model.length + 7];
            args[0] = "generate";
            System.arraycopy(model, 0, args, 1, model.length);
            System.arraycopy(new String[] {"--prompt", prompt, "--max-new-tokens", "40", "--temperature", "0"}, 0, args, model.length + 1, 6);
            MainTokenizeTest.Result r = MainTokenizeTest.main("", args);
            assertEquals(0, r.exit(), r.err());
            assertEquals(ref.get("greedy_40_text").asText() + "\n", r.out());
            assertTrue(r.err().contains("40 tokens in") && r.err().contains("tokens/s"), r.err());
        }
    }

    @Test
    void samplingWithASeedIsReproducible() {
        Path dir = stories();
        String[] args = {"generate", "--model", dir.resolve("hf").toString(), "--prompt", "Lily", "--max-new-tokens", "30",
                "--temperature", "0.9", "--top-p", "0.9", "--seed", "5"};
        MainTokenizeTest.Result a = MainTokenizeTest.main("", args), b = MainTokenizeTest.main("", args);
        assertEquals(0, a.exit(), a.err());
        assertEquals(a.out(), b.out());
        assertTrue(a.out().startsWith("Lily"), a.out());
    }

    @Test
    void errorsAreOneLineNamingTheProblem(@TempDir Path tmp) throws Exception {
        Path dir = stories();
        // (a llama2.c file without its tokenizer: aLlama2cCheckpointFindsItsTokenizerOrSaysWhichItLookedFor)
        Path bad = tmp.resolve("broken.bin");
        Files.write(bad, new byte[100]);
        MainTokenizeTest.Result broken = MainTokenizeTest.main("", "generate", "--model", bad.toString(), "--prompt", "x");
        assertEquals(1, broken.exit());
        assertTrue(broken.err().startsWith("crs4j generate: " + bad), broken.err());
        assertEquals(1, broken.err().strip().lines().count(), broken.err());
        assertFalse(broken.err().contains("\tat "), broken.err());
        // (model ids are resolved through the Hub: tested in models with a local server, never the network)
        MainTokenizeTest.Result none = MainTokenizeTest.main("", "generate", "--model", "no/such/model", "--prompt", "x");
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("no such folder or file"), none.err());
        Files.writeString(tmp.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": -3}");
        MainTokenizeTest.Result cfg = MainTokenizeTest.main("", "generate", "--model", tmp.toString(), "--prompt", "x");
        assertEquals(1, cfg.exit());
        assertTrue(cfg.err().contains("config.json") && cfg.err().contains("hidden_size"), cfg.err());
    }

    @Test
    void aPromptPastTheContextIsRefusedBeforeAnythingIsPrinted() {
        Path dir = stories();
        String longPrompt = "Once upon a time there was a little dog. ".repeat(60); // well over 512 tokens
        MainTokenizeTest.Result r = MainTokenizeTest.main("", "generate", "--model", dir.resolve("hf").toString(), "--prompt", longPrompt,
                "--max-new-tokens", "20");
        assertEquals(2, r.exit(), r.err());
        assertEquals("", r.out(), "nothing reaches stdout before the limits are checked");
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("crs4j generate: --prompt: the prompt's ") && first.contains(" tokens + 20 new tokens = ")
                && first.contains("exceed the model's context of 512 positions (max_position_embeddings of config.json)")
                && first.endsWith("(--max-new-tokens N, --truncate-prompt)"), first);
        MainTokenizeTest.Result cut = MainTokenizeTest.main("", "generate", "--model", dir.resolve("hf").toString(), "--prompt", longPrompt,
                "--max-new-tokens", "20", "--truncate-prompt", "--temperature", "0");
        assertEquals(0, cut.exit(), cut.err());
        assertTrue(cut.err().contains("were cut to their last 492 to fit the model's context of 512 positions with 20 new tokens"), cut.err());
        assertTrue(cut.err().contains("20 tokens in"), cut.err());
        MainTokenizeTest.Result beams = MainTokenizeTest.main("", "generate", "--model", dir.resolve("hf").toString(), "--prompt", "x",
                "--beams", "1000");
        assertEquals(2, beams.exit());
        assertTrue(beams.err().startsWith("crs4j generate: --beams: 1000 beams are more than the 512 tokens of the vocabulary"), beams.err());
        assertEquals("", beams.out());
    }

    @Test
    void zeroNewTokensPrintsThePromptAndSaysSo() {
        Path dir = stories();
        MainTokenizeTest.Result r = MainTokenizeTest.main("", "generate", "--model", dir.resolve("hf").toString(), "--prompt", "Lily",
                "--max-new-tokens", "0");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Lily\n", r.out());
        assertTrue(r.err().startsWith("0 tokens generated (--max-new-tokens 0; prompt of 2 tokens; model loaded in "), r.err());
        assertFalse(r.err().matches("(?s).* -\\d.*"), "no negative time: " + r.err());
    }

    @Test
    void aLlama2cCheckpointFindsItsTokenizerOrSaysWhichItLookedFor(@TempDir Path tmp) throws Exception {
        Path dir = stories();
        Path bin = Files.copy(dir.resolve("stories260K.bin"), tmp.resolve("stories260K.bin"));
        MainTokenizeTest.Result none = MainTokenizeTest.main("", "generate", "--model", bin.toString(), "--prompt", "x");
        assertEquals(1, none.exit());
        assertEquals("crs4j generate: " + bin + ": a llama2.c checkpoint holds no tokenizer, and neither tokenizer.bin nor tok512.bin"
                + " is beside it; give the tokenizer file (--tokenizer)", none.err().strip());
        Files.copy(dir.resolve("tok512.bin"), tmp.resolve("tok512.bin")); // llama2.c's name for a 512-token vocabulary
        MainTokenizeTest.Result found = MainTokenizeTest.main("", "generate", "--model", bin.toString(), "--prompt", "Lily",
                "--max-new-tokens", "5", "--temperature", "0");
        assertEquals(0, found.exit(), found.err());
        assertTrue(found.out().startsWith("Lily"), found.out());
    }
}

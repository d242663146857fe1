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
        MainTokenizeTest.Result noTok = MainTokenizeTest.main("", "generate", "--model", dir.resolve("stories260K.bin").toString(), "--prompt", "x");
        assertEquals(1, noTok.exit());
        assertTrue(noTok.err().contains("--tokenizer"), noTok.err());
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
}

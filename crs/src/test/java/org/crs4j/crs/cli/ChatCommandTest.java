package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.crs4j.crs.llm.FakeChatServer;
import org.crs4j.crs.llm.FakeChatServer.Reply;
import org.crs4j.crs.llmcrs.LlmcrsFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code crs4j chat} as a person uses it in a terminal: lines typed on stdin, what comes back on stdout, through the
 * real entry point, on the fixture dataset (five films) with a causal recommender trained here in a second.
 */
class ChatCommandTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    @TempDir static Path models;
    static Path model;

    @BeforeAll
    static void train() {
        LlmcrsFixture.write(data);
        model = models.resolve("full");
        var r = MainTokenizeTest.main("", "train", "rec", "--dataset", "inspired", "--epochs", "2", "--out", model.toString(),
                "--data-dir", data.toString(), "--cache-dir", cache.toString());
        assertEquals(0, r.exit(), r.err());
    }

    private static MainTokenizeTest.Result chat(String stdin, String... more) {
        String[] base = {"chat", "--data-dir", data.toString(), "--cache-dir", cache.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return MainTokenizeTest.main(stdin, all);
    }

    private static void contains(String out, String... parts) {
        for (String p : parts) assertTrue(out.contains(p), "missing \"" + p + "\" in:\n" + out);
    }

    @Test
    void threeTurnsAndEveryCommandWithoutAnLlm() {
        String script = String.join("\n",
                "I love Johnny Depp, I liked Pirates of the Caribbean (2003)",
                "Something scary please, like \"Alien\"",
                "/why",
                "/details Ed Wood (1994)",
                "/details Casablanca (1942)",
                "Have you seen Moonfall (2022)?",
                "/trace",
                "/frobnicate",
                "/reset",
                "/why",
                "/quit",
                "this line is never read") + "\n";
        var r = chat(script, "--model", model.toString(), "--no-llm");
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        // the banner says what answers, and that no LLM writes the answers
        contains(out, "crs4j chat: inspired, 5 movies; recommender causal-full (" + model + ": --model, loaded in ",
                "No LLM: none (--no-llm).",
                "Running as seed 003's \"w/o LLM module\" variant: each answer below is the recommendation expert's own output, not generated text.",
                "Add an LLM with --llm DIR|HF-ID|URL#MODEL");
        // turn 1: the titles typed are linked, the expert's list is the answer, items come with their year
        contains(out, "you>   (linked: Pirates of the Caribbean (2003))", "crs> Recommended movies: ",
                "  [the output of expert causal-full; no LLM]", "recommended:\n  1. ");
        List<String> listed = out.lines().filter(l -> l.matches("  [1-5]\\. .+ \\((19|20)\\d\\d\\).*")).toList();
        // five items after turns 1 and 3; after turn 2 the catalogue's two horror films
        assertEquals(5 + 2 + 5, listed.size(), "three turns' items, each with its year:\n" + out);
        // turn 2: a genre word becomes the category (the list holds only horror films), the quoted title is linked
        contains(out, "(linked: Alien (1979))", "crs> Recommended horror movies: ");
        String horror = out.substring(out.indexOf("crs> Recommended horror movies: "));
        horror = horror.substring(horror.indexOf("recommended:\n"), horror.indexOf("you>"));
        assertEquals(2, horror.lines().filter(l -> l.matches("  \\d\\. .* — .*horror.*")).count(), horror);
        // /why: the explanation expert on the first recommended item; /details: the item database
        assertTrue(out.lines().anyMatch(l -> l.startsWith("you> Why ")), out);
        contains(out, "you> Ed Wood (1994): year: 1994; genres: comedy, drama; director: Tim Burton; starring: Johnny Depp");
        contains(out, "you> unknown title: \"Casablanca (1942)\" is not in the inspired catalogue");
        // turn 3: a title the catalogue does not have is said to be unknown
        contains(out, "you>   (unknown title: \"Moonfall (2022)\" is not in the inspired catalogue)");
        // /trace: the four stages of the last turn
        contains(out, "you> 1. sub-task: Recommendation() -> Item   [w/o-llm]", "\n2. expert: causal-full   [w/o-llm]",
                "\n3. expert output (", "\n4. response: no LLM call (the expert output is the answer)", "\nturn: ");
        contains(out, "you> unknown command /frobnicate; /help lists the commands", "you> (new conversation)",
                "you> nothing recommended yet: ask for a recommendation first", "you> bye");
        assertFalse(out.contains("this line is never read"), out);
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void theBannerSaysWhereItLookedForAnLlm() throws Exception {
        // on a machine whose Hugging Face cache holds flan-t5-large the chat would take it (and this test would load it)
        org.junit.jupiter.api.Assumptions.assumeTrue(org.crs4j.crs.chat.ChatSetup.flanCached().isEmpty(),
                "google/flan-t5-large is in the Hugging Face cache here: the chat would load it");
        Path fresh = Files.createTempDirectory(cache, "nollm");
        var r = MainTokenizeTest.main("/quit\n", "chat", "--model", model.toString(), "--data-dir", data.toString(), "--cache-dir", fresh.toString());
        assertEquals(0, r.exit(), r.err());
        contains(r.out(), "No LLM: none (no --llm, no controller in " + fresh.resolve("models/controller")
                + ", google/flan-t5-large not in the Hugging Face cache).", "train a controller into " + fresh.resolve("models/controller"));
    }

    @Test
    void anLlmLeadsTheTurnAndItsAnswerStreams() throws Exception {
        // an OpenAI-compatible endpoint that answers each LLMCRS stage as a capable LLM would
        try (var llm = new FakeChatServer(body -> {
            if (body.contains("to detect which sub-task")) return Reply.content("Recommendation(category=horror) -> Item");
            if (body.contains("select the most appropriate expert")) return Reply.content("causal-full");
            return Reply.content("You should watch Alien (1979), a horror classic.");
        })) {
            var r = chat("I want a scary movie\n/trace\n", "--model", model.toString(), "--llm", llm.base() + "#fake");
            assertEquals(0, r.exit(), r.err());
            String out = r.out();
            contains(out, "LLM: " + llm.base() + "#fake (--llm); LLMCRS (seed 000) picks the sub-task and the expert, then writes the answer",
                    "crs> You should watch Alien (1979), a horror classic.\nrecommended:\n  1. Alien (1979) — horror, science fiction",
                    "1. sub-task: Recommendation(category=horror) -> Item   [llm]   (prompt ",
                    "2. expert: causal-full   [llm]   (prompt ", "4. response: (prompt ");
            assertFalse(out.contains("w/o LLM"), out);
            assertEquals(3, llm.requests.size(), "detection, matching, response");
        }
    }

    @Test
    void theDefaultRecommenderIsTrainedOnFirstUseAndLoadedAfter() throws Exception {
        Path fresh = Files.createTempDirectory(cache, "fresh");
        var first = MainTokenizeTest.main("/quit\n", "chat", "--dataset", "inspired", "--no-llm", "--data-dir", data.toString(), "--cache-dir", fresh.toString());
        assertEquals(0, first.exit(), first.err());
        Path dir = fresh.resolve("models/rec/inspired-full-seed1");
        contains(first.err(), "crs4j chat: training the causal recommender (full) on inspired into " + dir + " — once; later starts load it in seconds");
        contains(first.out(), "recommender causal-full (" + dir + ": trained now in ", "No LLM: none (--no-llm)");
        // the training shows itself on stderr: the progress bar (updates, elapsed / ETA) and a line per epoch
        contains(first.err(), "training full: ", "epoch 1/30 100% [", " updates (0:00:", "epoch 1: loss ",
                "crs4j chat: training: epoch 1 of at most 30 done, at most ");
        assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")));
        var second = MainTokenizeTest.main("/quit\n", "chat", "--dataset", "inspired", "--no-llm", "--data-dir", data.toString(), "--cache-dir", fresh.toString());
        assertEquals(0, second.exit(), second.err());
        assertFalse(second.err().contains("training"), second.err());
        contains(second.out(), "recommender causal-full (" + dir + ": cached, loaded in ");
    }

    @Test
    void badOptionsAreOneLine() throws Exception {
        assertOneLine(chat("", "--port", "9000"), "crs4j chat: --port: only with --web");
        assertOneLine(chat("", "--web", "--port", "70000"), "crs4j chat: --port: must be in 0..65535, got 70000");
        assertOneLine(chat("", "--model", models.resolve("nowhere").toString()), "crs4j chat: --model " + models.resolve("nowhere") + ": no such model directory");
        assertOneLine(chat("", "--dataset", "imdb"), "crs4j chat: --dataset unknown dataset \"imdb\"");
        assertOneLine(chat("", "--model", model.toString(), "--dataset", "redial"), "crs4j chat: --dataset redial: " + model + " was trained on inspired");
        assertOneLine(chat("", "--model", model.toString(), "--llm", "x", "--no-llm"), "crs4j chat: --no-llm: leave out --llm, or this option");
        assertOneLine(chat("", "--model", model.toString(), "--llm", models.resolve("no-llm-here").toString()), "crs4j chat: --llm " + models.resolve("no-llm-here") + ": ");
        Files.createDirectories(models.resolve("kbrd"));
        var kbrd = MainTokenizeTest.main("", "train", "rec", "--dataset", "inspired", "--variant", "kbrd", "--epochs", "1", "--out", models.resolve("kbrd").toString(),
                "--data-dir", data.toString(), "--cache-dir", cache.toString());
        assertEquals(0, kbrd.exit(), kbrd.err());
        assertOneLine(chat("", "--model", models.resolve("kbrd").toString()), "crs4j chat: --model " + models.resolve("kbrd")
                + ": holds a kbrd model; the chat's recommendation expert is seed 003's full causal recommender");
    }

    private static void assertOneLine(MainTokenizeTest.Result r, String start) {
        assertTrue(r.exit() != 0, "exit 0 for " + start);
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("WARNING") && !l.startsWith("Try '")).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.getFirst().startsWith(start), "expected a line starting with\n" + start + "\nbut got\n" + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }
}

package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.crs4j.crs.llmcrs.LlmcrsFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `crs4j llmcrs` through the real entry point, on the fixture dataset; stories260K shows the plumbing. */
class LlmcrsCommandTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    @TempDir Path dir;

    @BeforeAll
    static void write() { LlmcrsFixture.write(data); }

    private static String[] args(String... more) {
        String[] base = {"llmcrs", "turn", "--dataset", "inspired", "--data-dir", data.toString(), "--cache-dir", cache.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static Path stories() {
        Path p = Path.of(System.getProperty("crs4j.shared", "../../shared"), "models/stories260K/hf");
        assumeTrue(Files.isDirectory(p), "../shared/models/stories260K/hf is not present: " + p);
        return p;
    }

    /** Slow: stories260K's first call in a JVM (warm-up, a 1,000-token prompt) takes 10-20 s on the 2-core machine. */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void aTurnPrintsEveryStageWithARealLocalModel() {
        var r = MainTokenizeTest.main("", args("--llm", stories().toString(), "--turn", "4"));
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        for (String s : new String[] {"inspired test, dialogue test-1, turn 4 of 4 (recommender)", "== dialogue context ==",
                "User: I liked Pirates of the Caribbean, but I hate horror", "== 1. sub-task detection (", "-- prompt --",
                "The AI assistant should analyze the dialogue context", "-- output --", "== 3. sub-task execution: ",
                "== 4. response generation (", "== result ==", "ground truth: Johnny Depp stars in Sleepy Hollow.",
                "labeler: Item Detail Search(item name=Sleepy Hollow (1999); item attribute=starring) -> Text   [detail question]"})
            assertTrue(out.contains(s), "missing \"" + s + "\" in:\n" + out);
        assertTrue(out.contains("DETECTION_UNPARSED") || out.contains("-> "), out);
        var json = MainTokenizeTest.main("", args("--llm", stories().toString(), "--turn", "2", "--json", "--ablate", "w/o-M"));
        assertEquals(0, json.exit(), json.err());
        assertTrue(json.out().contains("\"detected_by\" : \"w/o-M\""), json.out());
        var run = MainTokenizeTest.main("", "llmcrs", "run", "--dataset", "inspired", "--data-dir", data.toString(), "--cache-dir", cache.toString(),
                "--llm", stories().toString(), "--limit", "2", "--ablate", "w/o-DI");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("inspired test, 2 turns, LLM "), run.out());
        assertTrue(run.out().contains("a target within the turn's top 50: "), run.out());
        assertTrue(run.out().contains("turns: 2, mean "), run.out());
    }

    @Test
    void badOptionsAreOneLineBeforeAnyModelIsLoaded() throws Exception {
        var turn = MainTokenizeTest.main("", args("--llm", "no/such/model", "--turn", "3"));
        assertEquals(1, turn.exit());
        assertEquals("crs4j llmcrs turn: --turn 3: turn 3 of dialogue test-1 is the seeker's; LLMCRS produces recommender turns", turn.err().strip());
        var ablate = MainTokenizeTest.main("", args("--llm", "x", "--ablate", "w/o-Z"));
        assertEquals("crs4j llmcrs turn: --ablate: unknown mechanism \"w/o-Z\" (use w/o-SI, w/o-DI, w/o-SG, w/o-M or w/o-E)", ablate.err().strip());
        Files.writeString(dir.resolve("detection.txt"), "{{subtask_list}} {{dialog_context}}");
        var prompt = MainTokenizeTest.main("", args("--llm", "x", "--prompts", dir.toString()));
        assertEquals("crs4j llmcrs turn: " + dir.resolve("detection.txt") + " line 1: unknown slot {{dialog_context}} (this prompt's slots: "
                + "demonstrations, dialogue_context, schema_example, subtask_list, subtask_schema)", prompt.err().strip());
        var dialogue = MainTokenizeTest.main("", args("--llm", "x", "--dialogue", "nope"));
        assertEquals("crs4j llmcrs turn: --dialogue nope: no such dialogue in inspired test (ids look like test-1)", dialogue.err().strip());
        var dataset = MainTokenizeTest.main("", "llmcrs", "turn", "--dataset", "imdb", "--llm", "x");
        assertTrue(dataset.err().startsWith("crs4j llmcrs turn: --dataset unknown dataset \"imdb\" (known: "), dataset.err());
        var llm = MainTokenizeTest.main("", args("--llm", "no/such/folder/here"));
        assertEquals(1, llm.exit());
        assertTrue(llm.err().startsWith("crs4j llmcrs turn: --llm no/such/folder/here: "), llm.err());
        Files.writeString(dir.resolve("experts.json"), "{\"experts\": [{\"id\": \"x\"}]}");
        var reg = MainTokenizeTest.main("", args("--llm", "x", "--registry", dir.resolve("experts.json").toString()));
        assertEquals("crs4j llmcrs turn: " + dir.resolve("experts.json") + ": experts[0] (x): missing subtask", reg.err().strip());
        var limit = MainTokenizeTest.main("", "llmcrs", "run", "--dataset", "inspired", "--llm", "x", "--limit", "0");
        assertEquals("crs4j llmcrs run: --limit 0: must be >= 1", limit.err().strip());
        for (var r : new MainTokenizeTest.Result[] {turn, ablate, prompt, dialogue, dataset, llm, reg, limit}) {
            assertEquals("", r.out(), "nothing on stdout before the error");
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void labelsReportTheDistribution() {
        var r = MainTokenizeTest.main("", "llmcrs", "labels", "--dataset", "inspired", "--split", "train", "--data-dir", data.toString(), "--cache-dir", cache.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("inspired train: 5 recommender turns after the first, 0 labeled from annotations, 5 by rules"), r.out());
        assertTrue(r.out().contains("no turn carries an annotation"), r.out());
    }
}

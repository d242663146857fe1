package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.crs4j.crs.cli.MainTokenizeTest.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every command does the same way, seen through the real entry point as a user sees it. */
class CliConventionsTest {
    @TempDir Path dir;

    static Result run(String... args) {
        return MainTokenizeTest.main("", args);
    }

    static void oneLineError(Result r, int exit, String line) {
        assertEquals(exit, r.exit(), r.err());
        assertEquals(line, r.err().lines().findFirst().orElse(""), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Usage:"), r.err());
    }

    @Test
    void aBadOptionPrintsTheErrorAndAPointerToHelpNotTheUsage() {
        Result r = run("generate", "--model", "m", "--prompt", "p", "--max-new-tokens", "abc");
        assertEquals(List.of("crs4j generate: --max-new-tokens: 'abc' is not an int",
                "Try 'crs4j generate --help' for more information."), r.err().lines().toList());
        assertEquals(2, r.exit());
        oneLineError(run("tensors", "--frobnicate", "x"), 2, "crs4j tensors: --frobnicate: unknown option");
        oneLineError(run("generate", "--prompt", "p"), 2, "crs4j generate: --model: missing (required)");
        oneLineError(run("data", "stats", "--graph"), 2, "crs4j data stats: --graph: missing its value (VARIANT)");
        oneLineError(run("frobnicate"), 2, "crs4j: frobnicate: unexpected argument (not a command: see --help)");
    }

    @Test
    void helpAndVersionOnEveryCommand() {
        for (String[] args : new String[][] {{"tensors", "--help"}, {"tensors", "-h"}, {"help"}, {"help", "generate"},
                {"data", "help", "stats"}, {"data", "fetch", "--help"}, {"info", "-h"}}) {
            Result r = run(args);
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: crs4j"), String.join(" ", args) + ": " + r.out());
        }
        assertTrue(run("help", "generate").out().startsWith("Usage: crs4j generate"));
        assertTrue(run("data", "help", "stats").out().startsWith("Usage: crs4j data stats"));
        for (String[] args : new String[][] {{"-V"}, {"data", "-V"}, {"data", "stats", "-V"}, {"tensors", "--version"}, {"generate", "-V"}}) {
            Result r = run(args);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("crs4j "), String.join(" ", args) + ": " + r.out());
        }
    }

    @Test
    void errorsCarryTheFullCommandPath() {
        oneLineError(run("data", "stats", "--data-dir", dir.resolve("nowhere").toString()), 1,
                "crs4j data stats: data directory " + dir.resolve("nowhere") + " (from --data-dir) does not exist or is not a folder");
        oneLineError(run("data", "stats", "--data-dir", ""), 2, "crs4j data stats: --data-dir: empty value (give a file or folder)");
        oneLineError(run("generate", "--model", "", "--prompt", "x"), 1,
                "crs4j generate: --model: empty value: give a model folder, a checkpoint file or a Hugging Face id (ORG/NAME)");
        oneLineError(run("generate", "--model", "m", "--prompt", "x", "--max-new-tokens", "-1"), 2,
                "crs4j generate: --max-new-tokens: must be 0 or more, got -1");
        oneLineError(run("generate", "--model", "m", "--prompt", "x", "--beams", "0"), 2, "crs4j generate: --beams: must be 1 or more, got 0");
    }

    static Path mkfifo(Path p) throws Exception {
        assumeTrue(new ProcessBuilder("mkfifo", p.toString()).start().waitFor() == 0, "mkfifo is not available");
        return p;
    }

    @Test
    void everyCommandRefusesAFifoInsteadOfWaiting() throws Exception {
        Path fifo = mkfifo(dir.resolve("pipe"));
        String why = fifo + ": is a named pipe (FIFO), not a regular file";
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            assertTrue(run("tensors", fifo.toString()).err().startsWith("crs4j tensors: " + why), run("tensors", fifo.toString()).err());
            assertTrue(run("tokenize", "--tokenizer", fifo.toString()).err().startsWith("crs4j tokenize: " + why));
            Result gen = run("generate", "--model", fifo.toString(), "--prompt", "x");
            assertTrue(gen.err().startsWith("crs4j generate: " + why), gen.err());
            Path model = Files.createDirectories(dir.resolve("model"));
            mkfifo(model.resolve("tokenizer.json"));
            assertTrue(run("tokenize", "--model", model.toString()).err().startsWith("crs4j tokenize: " + model.resolve("tokenizer.json")
                    + ": is a named pipe"), run("tokenize", "--model", model.toString()).err());
            Path data = Files.createDirectories(dir.resolve("data/gorecdial"));
            mkfifo(data.resolve("test_data.json"));
            mkfifo(data.resolve("train_data.json"));
            Result score = run("score", "--hypotheses", fifo.toString(), "--references", fifo.toString());
            assertTrue(score.err().startsWith("crs4j score: --hypotheses " + fifo + ": is a named pipe (FIFO), not a regular file"), score.err());
            Result stats = run("data", "stats", "gorecdial", "--data-dir", dir.resolve("data").toString());
            assertTrue(stats.err().contains("crs4j data stats: gorecdial/train_data.json: is a named pipe (FIFO)"), stats.err());
        });
    }
}

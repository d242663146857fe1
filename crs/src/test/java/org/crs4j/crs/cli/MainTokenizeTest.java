package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `crs4j tokenize` through the real entry point, with stdin/stdout/stderr redirected. */
class MainTokenizeTest {

    record Result(int exit, String out, String err) {}

    static Result main(String stdin, String... args) {
        CliRun.Run r = CliRun.withStdin(stdin, args);
        return new Result(r.code(), r.out(), r.err());
    }

    @Test
    void encodesAndDecodesThroughMain(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, """
                {"model": {"type": "WordLevel", "vocab": {"<unk>": 0, "héllo": 1, "wörld": 2}, "unk_token": "<unk>"},
                 "pre_tokenizer": {"type": "WhitespaceSplit"}, "decoder": null}""");
        Result enc = main("héllo wörld\nwörld ?\n", "tokenize", "--tokenizer", json.toString());
        assertEquals(0, enc.exit(), enc.err());
        assertEquals("1 2\n2 0\n", enc.out());
        Result dec = main("1 2\n", "tokenize", "--model", dir.toString(), "--decode");
        assertEquals("héllo wörld\n", dec.out(), dec.err());
    }

    @Test
    void malformedFileGivesOneLineNamingIt(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("broken.model");
        Files.write(bad, new byte[] {0x0A, (byte) 0xFF}); // field 1, then a truncated length varint
        Result r = main("x\n", "tokenize", "--tokenizer", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("crs4j tokenize: ") && r.err().contains(bad.toString()), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }
}

package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `crs4j tokenize` through the real entry point, with stdin/stdout/stderr redirected. */
class MainTokenizeTest {

    record Result(int exit, String out, String err) {}

    static synchronized Result main(String stdin, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
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

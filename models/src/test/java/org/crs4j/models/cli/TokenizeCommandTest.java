package org.crs4j.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.crs4j.models.tokenizer.SentencePieceTokenizer;
import org.crs4j.models.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenizeCommandTest {
    static final Path MODEL = resource("bpe_bytefallback.model");
    static final String INPUT = "Hello world\n\nI loved  @123 ☃ 日本\r\nlast line without newline";

    static Path resource(String name) {
        try {
            return Path.of(TokenizeCommandTest.class.getResource("/org/crs4j/models/tokenizer/spm/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    record Result(int exit, String out, String err) {}

    static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new TokenizeCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("crs4j tokenize: " + e.getMessage());
            return 1;
        });
        int code = cli.execute(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void encodesOneLinePerLineWithoutBosOrEos() throws IOException {
        Tokenizer tok = SentencePieceTokenizer.load(MODEL);
        Result r = run(INPUT, "--tokenizer", MODEL.toString());
        assertEquals(0, r.exit(), r.err());
        String[] in = INPUT.split("\n", -1);
        String expected = Arrays.stream(in).map(l -> Arrays.stream(tok.encode(l)).mapToObj(Integer::toString)
                .collect(Collectors.joining(" "))).collect(Collectors.joining("\n")) + "\n";
        assertEquals(expected, r.out());
        assertTrue(r.out().split("\n", -1)[1].isEmpty(), "an empty line gives an empty line");
    }

    @Test
    void decodeRestoresTheText() {
        Result ids = run(INPUT, "--tokenizer", MODEL.toString());
        Result text = run(ids.out(), "--tokenizer", MODEL.toString(), "--decode");
        assertEquals(0, text.exit(), text.err());
        assertEquals(INPUT + "\n", text.out());
    }

    @Test
    void modelFolderPrefersTokenizerJson(@TempDir Path dir) throws IOException {
        Files.copy(MODEL, dir.resolve("tokenizer.model"));
        Result spm = run("Hello world\n", "--model", dir.toString());
        assertEquals(0, spm.exit(), spm.err());
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"model": {"type": "WordLevel", "vocab": {"Hello": 7, "world": 8, "<unk>": 0}, "unk_token": "<unk>"},
                 "pre_tokenizer": {"type": "WhitespaceSplit"}}""");
        Result json = run("Hello world\n", "--model", dir.toString());
        assertEquals("7 8\n", json.out(), json.err());
    }

    @Test
    void errorsNameTheProblem(@TempDir Path dir) {
        Result id = run("x\n", "--model", "google/flan-t5-large");
        assertEquals(1, id.exit());
        assertTrue(id.err().contains("google/flan-t5-large") && id.err().contains("not resolved yet"), id.err());

        Result empty = run("x\n", "--model", dir.toString());
        assertTrue(empty.err().contains(dir.toString()) && empty.err().contains("no tokenizer found"), empty.err());

        Result badId = run("5 6\n7 x 8\n", "--tokenizer", MODEL.toString(), "--decode");
        assertEquals(1, badId.exit());
        assertTrue(badId.err().contains("stdin line 2") && badId.err().contains("\"x\""), badId.err());

        Result range = run("5 99999\n", "--tokenizer", MODEL.toString(), "--decode");
        assertTrue(range.err().contains("stdin line 1") && range.err().contains("99999"), range.err());

        Result both = run("", "--tokenizer", MODEL.toString(), "--model", dir.toString());
        assertEquals(2, both.exit(), "picocli usage error");

        Result missing = run("", "--tokenizer", dir.resolve("nope.model").toString());
        assertTrue(missing.err().contains("nope.model"), missing.err());
    }

    /** Same output as SentencePiece's own command-line tool, where the Debian package `sentencepiece` is installed. */
    @Test
    void sameAsSpmEncode() throws Exception {
        Path spmEncode = Path.of("/usr/bin/spm_encode");
        assumeTrue(Files.isExecutable(spmEncode), "spm_encode not installed (Debian package sentencepiece)");
        for (String name : List.of("bpe_bytefallback.model", "unigram_user_symbols.model", "unigram_rules.model", "word.model")) {
            Path model = resource(name);
            String input = INPUT + "\n  a  b  \nabc abd @movie<sep>\n";
            Process p = new ProcessBuilder(spmEncode.toString(), "--model=" + model, "--output_format=id").start();
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor());
            assertEquals(expected, run(input, "--tokenizer", model.toString()).out(), name);
        }
    }
}

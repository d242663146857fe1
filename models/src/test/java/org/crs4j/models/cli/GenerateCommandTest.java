package org.crs4j.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.crs4j.models.hub.DownloadProgress;
import org.crs4j.models.hub.FakeHub;
import org.crs4j.models.hub.Hub;
import org.crs4j.models.hub.HubSettings;
import org.crs4j.models.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `crs4j generate` and `crs4j tokenize` on T5 folders and on Hugging Face ids served by a loopback Hub. */
class GenerateCommandTest {
    record Result(int exit, String out, String err) {}

    static Path fixture(String name) throws Exception {
        return Path.of(GenerateCommandTest.class.getResource("/org/crs4j/models/t5/fixtures/" + name + "/config.json").toURI()).getParent();
    }

    /** Runs the command with System.out/err captured (generate streams to System.out as run.c does). */
    static synchronized Result generate(Supplier<Hub> hub, String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cli = new CommandLine(new GenerateCommand(hub));
            cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
                cmd.getErr().println("crs4j generate: " + e.getMessage());
                return 1;
            });
            StringWriter usage = new StringWriter();
            cli.setErr(new PrintWriter(usage, true));
            int code = cli.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + usage);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Supplier<Hub> hub(Path cache, FakeHub server, boolean offline) {
        return () -> new Hub(new HubSettings(cache, server == null ? null : server.endpoint(), null, offline, false),
                DownloadProgress.NONE, null);
    }

    @Test
    void t5PrintsOnlyItsGeneratedText() throws Exception {
        Path dir = fixture("v1_1");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        for (int i = 0; i < 3; i++) {
            JsonNode p = ref.get("prompts").get(i);
            Result r = generate(hub(Path.of("unused"), null, true), "--model", dir.toString(), "--prompt", p.get("text").asText(),
                    "--max-new-tokens", "12", "--temperature", "0");
            assertEquals(0, r.exit(), r.err());
            assertEquals(ref.get("greedy").get(i).get("text").asText() + "\n", r.out(), "prompt " + i);
            assertTrue(r.err().contains("tokens/s"), r.err());
        }
        Result beams = generate(hub(Path.of("unused"), null, true), "--model", dir.toString(), "--prompt", "recommend a funny movie",
                "--max-new-tokens", "6", "--beams", "3");
        assertEquals(0, beams.exit(), beams.err());
        assertTrue(beams.err().contains("beam search, 3 beams"), beams.err());
    }

    @Test
    void aModelIdIsDownloadedIntoTheCacheThenUsedOffline(@TempDir Path cache) throws Exception {
        Path dir = fixture("v1_1");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        String prompt = ref.get("prompts").get(1).get("text").asText(), want = ref.get("greedy").get(1).get("text").asText() + "\n";
        try (FakeHub server = new FakeHub()) {
            server.serve("crs4j-test/tiny-t5", dir);
            Result online = generate(hub(cache, server, false), "--model", "crs4j-test/tiny-t5", "--prompt", prompt,
                    "--max-new-tokens", "12", "--temperature", "0");
            assertEquals(0, online.exit(), online.err());
            assertEquals(want, online.out());
            assertTrue(server.count("model.safetensors") > 0);
        }
        // the server is gone: offline, the cache serves
        Result offline = generate(hub(cache, null, true), "--model", "crs4j-test/tiny-t5", "--prompt", prompt, "--max-new-tokens", "12",
                "--temperature", "0");
        assertEquals(0, offline.exit(), offline.err());
        assertEquals(want, offline.out());
        Result missing = generate(hub(cache, null, true), "--model", "crs4j-test/other", "--prompt", prompt);
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("crs4j-test/other") && missing.err().contains("HF_HUB_OFFLINE"), missing.err());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
    }

    @Test
    void tokenizeFetchesOnlyTheTokenizerOfAModelId(@TempDir Path cache) throws Exception {
        Path dir = fixture("v1_1");
        try (FakeHub server = new FakeHub()) {
            server.serve("crs4j-test/tiny-t5", dir);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CommandLine cli = new CommandLine(new TokenizeCommand(new ByteArrayInputStream("recommend a funny movie\n".getBytes(StandardCharsets.UTF_8)),
                    out, hub(cache, server, false)));
            assertEquals(0, cli.execute("--model", "crs4j-test/tiny-t5"));
            String want = Arrays.stream(Tokenizers.fromFile(dir.resolve("spiece.model")).encode("recommend a funny movie"))
                    .mapToObj(Integer::toString).collect(Collectors.joining(" ")) + "\n";
            assertEquals(want, out.toString(StandardCharsets.UTF_8));
            assertEquals(0, server.count("safetensors"), server.log.toString());
            String commit = Files.readString(cache.resolve("models--crs4j-test--tiny-t5/refs/main"));
            assertTrue(Files.isRegularFile(cache.resolve("models--crs4j-test--tiny-t5/snapshots").resolve(commit).resolve("spiece.model")));
        }
    }

    @Test
    void quantizeQ8GeneratesWhatTheQ8ModelGenerates() throws Exception {
        String root = System.getProperty("crs4j.shared");
        Path dir = root == null ? null : Path.of(root, "models", "stories260K");
        org.junit.jupiter.api.Assumptions.assumeTrue(dir != null && Files.isRegularFile(dir.resolve("stories260K.bin")),
                "stories260K not found under crs4j.shared=" + root);
        String prompt = "Once upon a time, there was a dog";
        Result r = generate(hub(Path.of("unused"), null, true), "--model", dir.resolve("stories260K.bin").toString(),
                "--tokenizer", dir.resolve("tok512.bin").toString(), "--prompt", prompt, "--max-new-tokens", "30",
                "--temperature", "0", "--quantize", "q8");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("weights quantized to Q8_0"), r.err());
        try (org.crs4j.models.llama.Llama q = org.crs4j.models.llama.Llama.load(dir.resolve("stories260K.bin"),
                dir.resolve("tok512.bin"), org.crs4j.models.Quantization.Q8)) {
            String want = prompt + q.generate(prompt, q.defaults().withMaxNewTokens(30).withTemperature(0), null) + "\n";
            assertEquals(want, r.out());
        }
        Result bad = generate(hub(Path.of("unused"), null, true), "--model", dir.resolve("stories260K.bin").toString(),
                "--tokenizer", dir.resolve("tok512.bin").toString(), "--prompt", prompt, "--quantize", "q4");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("--quantize") && bad.err().contains("q4"), bad.err());
    }

    @Test
    void deviceIsCheckedBeforeTheModelIsRead() throws Exception {
        Supplier<Hub> none = hub(Path.of("unused"), null, true);
        Result unknown = generate(none, "--model", "no/such/model", "--prompt", "x", "--device", "gpu");
        assertEquals(1, unknown.exit());
        assertEquals("crs4j generate: --device: unknown device 'gpu': expected cpu, cuda or cuda:N", unknown.err().strip());
        if (!org.crs4j.tensor.cuda.CudaProbe.available()) {
            Result cuda = generate(none, "--model", "no/such/model", "--prompt", "x", "--device", "cuda");
            assertEquals(1, cuda.exit());
            assertEquals("crs4j generate: --device cuda: cuda:0 is not usable: " + org.crs4j.tensor.cuda.CudaProbe.probe().reason(),
                    cuda.err().strip());
        }
    }

    /** T5 generation with --device on a GPU-less CUDA backend: the command's wiring to CUDA, not the numbers. */
    @Test
    void deviceMovesTheModelAndIsReported() throws Exception {
        try (org.crs4j.tensor.cuda.GpuLessCuda cuda = new org.crs4j.tensor.cuda.GpuLessCuda(12)) {
            Supplier<Hub> none = hub(Path.of("unused"), null, true);
            Result r = generate(none, "--model", fixture("v1_1").toString(), "--prompt", "translate English to German: hi",
                    "--max-new-tokens", "3", "--temperature", "0", "--device", "cuda:12");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.err().contains(", on cuda:12)"), r.err());
            assertTrue(cuda.driver.launches.stream().anyMatch(l -> l.kernel().equals("matvec_rows")), "decoding ran on the device");
            Result q8 = generate(none, "--model", fixture("v1_1").toString(), "--prompt", "x", "--device", "cuda:12", "--quantize", "q8");
            assertEquals(1, q8.exit());
            assertTrue(q8.err().startsWith("crs4j generate: --quantize q8: Q8_0 weights are a CPU format; on cuda:12"), q8.err());
        }
    }
}

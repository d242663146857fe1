package org.crs4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encoding throughput, one thread, on the 23,952 utterances of ReDial's test file (../shared, or -Dcrs4j.shared=DIR):
 * one operation encodes every utterance once, so utterances/s = ops/s x 23,952. scripts/bench_tokenizers.py runs this
 * next to SentencePiece's C++ encoder (Debian python3-sentencepiece) on the same utterances and prints the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class TokenizerBenchmark {

    /** Tokenizer files under the shared folder. */
    @Param({"models/t5-tokenizer/spiece.model", "models/llama2-tokenizer/tokenizer.model",
            "models/llama2-tokenizer/tokenizer.bin", "models/t5-tokenizer/tokenizer.json"})
    public String tokenizer;

    Tokenizer tok;
    String[] utterances;

    static Path shared() {
        return Path.of(System.getProperty("crs4j.shared", "../shared"));
    }

    /** The texts of every message of ReDial's test conversations, in file order. */
    public static List<String> redialTestUtterances(Path shared) throws IOException {
        Path file = shared.resolve("data/redial/raw/test_data.jsonl.gz");
        if (!Files.isRegularFile(file)) throw new IOException(file + " not found: set -Dcrs4j.shared to the shared folder");
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                for (JsonNode m : json.readTree(line).get("messages")) out.add(m.get("text").asText());
            }
        }
        return out;
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        tok = Tokenizers.fromFile(shared().resolve(tokenizer));
        utterances = redialTestUtterances(shared()).toArray(new String[0]);
    }

    @Benchmark
    public void encodeAll(Blackhole bh) {
        for (String u : utterances) bh.consume(tok.encode(u));
    }
}

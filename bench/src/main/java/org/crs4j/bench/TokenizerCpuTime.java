package org.crs4j.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;

/**
 * Encoding speed in utterances per CPU-second of the whole process (the encoding thread plus garbage collection and
 * compilation): on a shared machine wall-clock figures swing with other jobs, CPU time much less. Prints
 * "file utterances_per_cpu_second" per tokenizer; scripts/bench_tokenizers.py times SentencePiece the same way
 * (Python's time.process_time).
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.crs4j.bench.TokenizerCpuTime SHARED FILE...}
 */
public final class TokenizerCpuTime {
    private TokenizerCpuTime() {}

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args[0]);
        String[] texts = TokenizerBenchmark.redialTestUtterances(shared).toArray(new String[0]);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (String file : List.of(args).subList(1, args.length)) {
            Tokenizer tok = Tokenizers.fromFile(shared.resolve(file));
            long sink = 0;
            for (int warm = 0; warm < 15; warm++) for (String t : texts) sink += tok.encode(t).length;
            double best = 0;
            for (int round = 0; round < 7; round++) {
                long t0 = os.getProcessCpuTime(); // coarse (tens of ms) on Linux: time 10 passes per round
                for (int pass = 0; pass < 10; pass++) for (String t : texts) sink += tok.encode(t).length;
                double rate = 10.0 * texts.length / ((os.getProcessCpuTime() - t0) / 1e9);
                best = Math.max(best, rate);
            }
            System.out.printf("%s %.0f %d%n", file, best, sink % 10);
        }
    }
}

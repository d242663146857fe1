package org.crs4j.bench;

import java.nio.file.Path;
import java.util.Arrays;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.llama.Llama;

/**
 * Greedy decoding speed of a LLaMA-family model, measured the way llama2.c's run.c measures its "achieved tok/s":
 * from BOS, the clock starts once the first token is out and stops after the last, and the tokens after the first are
 * counted. Repeated to show JIT warm-up and spread.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.crs4j.bench.GenerateBench MODEL [TOKENS] [RUNS] [TOKENIZER] [WARMUP] [none|q8]</pre>
 *
 * <p>WARMUP runs (default 0) go first and are reported apart: they show the JIT's warm-up (run.c, compiled ahead of
 * time, has none), and the RUNS after them the steady state.
 *
 * <p>Each run is also timed in CPU time of the whole process (every thread: compute, GC and JIT threads), from the
 * first token to the last: tokens per CPU-second is what a machine shared with other jobs disturbs least, since
 * time spent waiting for a core does not count.
 *
 * Prints one line per run and summary lines {@code crs4j tokens/s: best B median M} and
 * {@code crs4j tokens per CPU-second: best B median M} for scripts to parse.
 */
public final class GenerateBench {
    private GenerateBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: GenerateBench MODEL [TOKENS] [RUNS] [TOKENIZER]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path tok = args.length > 3 && !args[3].equals("-") ? Path.of(args[3]) : null;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        org.crs4j.models.Quantization q = args.length > 5 ? org.crs4j.models.Quantization.parse(args[5]) : org.crs4j.models.Quantization.NONE;
        try (Llama llama = Llama.load(model, tok, q)) {
            int bos = Math.max(llama.config().bosTokenId(), 0);
            // no stop tokens: always exactly `tokens` tokens, like run.c -n
            GenerationConfig cfg = GenerationConfig.greedy(tokens);
            double[] rates = new double[runs], cpuRates = new double[runs];
            for (int r = -warmup; r < runs; r++) {
                long[] first = {0, 0};
                int[][] out = Generation.generate(llama.model(), new int[][] {{bos}}, cfg, (row, t) -> {
                    if (first[0] == 0) {
                        first[0] = System.nanoTime();
                        first[1] = ProcessCpu.nanos();
                    }
                });
                double s = (System.nanoTime() - first[0]) / 1e9, cpu = (ProcessCpu.nanos() - first[1]) / 1e9;
                double rate = (out[0].length - 1) / s, cpuRate = (out[0].length - 1) / cpu;
                System.out.printf("%s %d: %d tokens in %.3f s after the first = %.1f tokens/s; %.3f CPU-s = %.1f tokens per CPU-second%n",
                        r < 0 ? "warm-up run" : "run", r < 0 ? r + warmup + 1 : r + 1, out[0].length - 1, s, rate, cpu, cpuRate);
                if (r < 0) continue;
                rates[r] = rate;
                cpuRates[r] = cpuRate;
            }
            double[] sorted = rates.clone(), cpuSorted = cpuRates.clone();
            Arrays.sort(sorted);
            Arrays.sort(cpuSorted);
            System.out.printf("crs4j tokens/s: best %.1f median %.1f (%d runs of %d tokens after %d warm-up runs, %d threads%s)%n",
                    sorted[runs - 1], sorted[runs / 2], runs, tokens, warmup, org.crs4j.tensor.cpu.Parallel.THREADS,
                    q == org.crs4j.models.Quantization.NONE ? "" : ", Q8_0 weights");
            System.out.printf("crs4j tokens per CPU-second: best %.1f median %.1f%n", cpuSorted[runs - 1], cpuSorted[runs / 2]);
        }
    }
}

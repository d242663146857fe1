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
 * <pre>java -cp bench/target/benchmarks.jar org.crs4j.bench.GenerateBench MODEL [TOKENS] [RUNS] [TOKENIZER]</pre>
 *
 * Prints one line per run and a summary line {@code crs4j tokens/s: best B median M} for scripts to parse.
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
        Path tok = args.length > 3 ? Path.of(args[3]) : null;
        try (Llama llama = Llama.load(model, tok)) {
            int bos = Math.max(llama.config().bosTokenId(), 0);
            // no stop tokens: always exactly `tokens` tokens, like run.c -n
            GenerationConfig cfg = GenerationConfig.greedy(tokens);
            double[] rates = new double[runs];
            for (int r = 0; r < runs; r++) {
                long[] first = {0};
                int[][] out = Generation.generate(llama.model(), new int[][] {{bos}}, cfg, (row, t) -> {
                    if (first[0] == 0) first[0] = System.nanoTime();
                });
                double s = (System.nanoTime() - first[0]) / 1e9;
                rates[r] = (out[0].length - 1) / s;
                System.out.printf("run %d: %d tokens in %.3f s after the first = %.1f tokens/s%n", r + 1, out[0].length - 1, s, rates[r]);
            }
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            System.out.printf("crs4j tokens/s: best %.1f median %.1f (%d runs of %d tokens, %d threads)%n",
                    sorted[runs - 1], sorted[runs / 2], runs, tokens, org.crs4j.tensor.cpu.Parallel.THREADS);
        }
    }
}

package org.crs4j.models.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.llama.Llama;
import org.crs4j.models.tokenizer.DecodeStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code crs4j generate}: loads a LLaMA-family model (Hugging Face folder or llama2.c file), prints the prompt and
 * streams its continuation to stdout as tokens are produced (as llama2.c's run.c does), and reports speed on stderr.
 * Temperature 0 is greedy decoding.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generates text with a LLaMA-family model, streaming prompt and continuation to stdout;",
                "speed goes to stderr. Greedy at temperature 0 (the default unless generation_config.json samples)."})
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE",
            description = "Hugging Face model folder (config.json, *.safetensors) or llama2.c checkpoint (.bin)")
    String model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "text to continue (BOS is added)")
    String prompt;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "tokenizer.json, SentencePiece .model or llama2.c tokenizer.bin (for checkpoints without one)")
    Path tokenizer;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "tokens to generate at most (default: the model's, else 256)")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "0 = greedy; > 0 samples (default: the model's, else 0)")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "sample among the K most likely tokens (0 = all)")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "sample among the most likely tokens holding probability P")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", description = "sampling seed (default: random, printed on stderr)")
    Long seed;

    @Option(names = "--beams", paramLabel = "N", description = "beam search with N beams (the text appears at the end)")
    Integer beams;

    @Override
    public Integer call() throws IOException {
        Path path = modelPath(model);
        long t0 = System.nanoTime();
        try (Llama llama = Llama.load(path, tokenizer)) {
            if (!llama.hasTokenizer()) throw new IOException("--model " + model + ": no tokenizer found beside it; pass --tokenizer FILE");
            GenerationConfig cfg = config(llama.defaults());
            PrintStream err = System.err;
            if (cfg.sampling() && seed == null) err.println("seed " + cfg.seed());
            double loadSeconds = (System.nanoTime() - t0) / 1e9;

            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            out.print(prompt);
            out.flush();
            int[] promptIds = llama.encodePrompt(prompt);
            DecodeStream stream = Llama.streamAfter(llama.tokenizer(), promptIds);
            long[] first = {0};
            int[] count = {0};
            long start = System.nanoTime();
            Generation.generate(llama.model(), new int[][] {promptIds}, cfg, (row, token) -> {
                if (count[0]++ == 0) first[0] = System.nanoTime();
                out.print(stream.next(token));
                out.flush();
            });
            long end = System.nanoTime();
            out.print(stream.flush());
            out.println();
            out.flush();
            int n = count[0];
            double total = (end - start) / 1e9, afterFirst = (end - first[0]) / 1e9;
            if (cfg.numBeams() > 1) {
                err.printf("%d tokens in %.3f s: %.1f tokens/s (beam search, %d beams; model loaded in %.2f s)%n", n, total,
                        n / total, cfg.numBeams(), loadSeconds);
            } else {
                err.printf("%d tokens in %.3f s: %.1f tokens/s (prompt of %d tokens and first token in %.3f s, then %.1f tokens/s;"
                                + " model loaded in %.2f s)%n", n, total, n / total, promptIds.length, (first[0] - start) / 1e9,
                        n > 1 ? (n - 1) / afterFirst : 0.0, loadSeconds);
            }
            return 0;
        }
    }

    private GenerationConfig config(GenerationConfig defaults) {
        GenerationConfig cfg = defaults;
        if (maxNewTokens != null) cfg = cfg.withMaxNewTokens(maxNewTokens);
        if (temperature != null) cfg = cfg.withTemperature(temperature);
        if (topK != null) cfg = cfg.withTopK(topK);
        if (topP != null) cfg = cfg.withTopP(topP);
        if (beams != null) cfg = cfg.withBeams(beams, cfg.lengthPenalty());
        return cfg.withSeed(seed != null ? seed : new SecureRandom().nextLong());
    }

    /** A folder or a file; Hugging Face ids are not resolved here yet. */
    static Path modelPath(String spec) throws IOException {
        Path p = Path.of(spec);
        if (Files.exists(p)) return p;
        if (spec.matches("[A-Za-z0-9][\\w.-]*/[\\w.-]+")) {
            throw new IOException("--model " + spec + ": no such folder or file, and Hugging Face model ids are not resolved yet;"
                    + " pass the model folder");
        }
        throw new IOException("--model " + spec + ": no such folder or file");
    }
}

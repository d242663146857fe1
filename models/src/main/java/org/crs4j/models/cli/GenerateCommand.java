package org.crs4j.models.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.crs4j.models.Quantization;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.generation.GenerationLimitException;
import org.crs4j.models.generation.GenerationLimits;
import org.crs4j.models.hub.Hub;
import org.crs4j.models.tokenizer.DecodeStream;
import org.crs4j.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code crs4j generate}: loads a model (a Hugging Face folder or id, LLaMA or T5, or a llama2.c file) and streams
 * its output to stdout as tokens are produced, as llama2.c's run.c does: a decoder-only model (LLaMA) prints the
 * prompt and its continuation, an encoder-decoder (T5, text-to-text) prints only the generated text. Speed goes to
 * stderr. Temperature 0 is greedy decoding.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generates text with a LLaMA-family or T5-family model, streamed to stdout.",
                "LLaMA prints prompt and continuation, T5 the output only; speed goes to stderr. Greedy at temperature 0",
                "(the default unless generation_config.json samples). A Hugging Face id is found in the HF cache or",
                "downloaded into it. --device cuda runs it on an NVIDIA GPU."})
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR|ID|FILE",
            description = "Hugging Face model folder (config.json, *.safetensors), Hugging Face model id (ORG/NAME: from "
                    + "the HF cache, downloaded when missing; HF_HUB_OFFLINE=1 forbids downloads) or llama2.c checkpoint (.bin)")
    String model;

    @Option(names = "--revision", paramLabel = "REV", description = "branch, tag or commit of a model id (default: main)")
    String revision;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "LLaMA: text to continue (BOS is added);"
            + " T5: the input text (EOS is added)")
    String prompt;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "tokenizer.json, SentencePiece .model or llama2.c tokenizer.bin (for checkpoints without one)")
    Path tokenizer;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "tokens to generate at most (default: the model's, else 256);"
            + " prompt + N must fit the model's context (max_position_embeddings, a llama2.c seq_len)")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "0 = greedy; > 0 samples (default: the model's, else 0)")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "sample among the K most likely tokens (0 = all)")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "sample among the most likely tokens holding probability P")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", description = "sampling seed (default: random, printed on stderr)")
    Long seed;

    @Option(names = "--beams", paramLabel = "N", description = "beam search with N beams (the text appears at the end);"
            + " at most the vocabulary size, and their cache must fit the heap")
    Integer beams;

    @Option(names = "--truncate-prompt", description = "keep only the prompt's last tokens (and BOS) when it does not fit the"
            + " model's context with --max-new-tokens more; by default such a prompt is refused with the numbers")
    boolean truncatePrompt;

    @Option(names = "--quantize", paramLabel = "none|q8", defaultValue = "none",
            description = "q8: quantize the weight matrices to 8-bit blocks (Q8_0) while loading: faster generation on the"
                    + " CPU, weights within 1/254 of each block's largest; none (default): the checkpoint's own weights")
    String quantize;

    @picocli.CommandLine.Mixin
    DeviceOption device = new DeviceOption();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final Supplier<Hub> hub;

    public GenerateCommand() {
        this(Hub::fromEnvironment);
    }

    /** With a given Hub (tests point it at a local server or cache). */
    GenerateCommand(Supplier<Hub> hub) {
        this.hub = hub;
    }

    @Override
    public Integer call() throws IOException {
        Quantization quantization;
        try {
            quantization = Quantization.parse(quantize);
        } catch (IllegalArgumentException e) {
            throw bad("--quantize", e.getMessage());
        }
        if (maxNewTokens != null && maxNewTokens < 0) throw bad("--max-new-tokens", "must be 0 or more, got " + maxNewTokens);
        if (beams != null && beams < 1) throw bad("--beams", "must be 1 or more, got " + beams);
        Device target = device.resolve(quantization); // an unusable --device fails here, before any model is read
        Path path = ModelLocator.locate(model, revision, true, hub);
        long t0 = System.nanoTime();
        try (LanguageModel lm = LanguageModels.load(path, tokenizer, quantization)) {
            lm.tokenizer(); // a model without one says what it looked for
            if (target.kind() != Device.Kind.CPU) lm.module().to(target);
            GenerationConfig cfg = config(lm.defaults());
            int[] promptIds = lm.encodePrompt(prompt);
            int[] fitted;
            try {
                // every limit is checked before anything reaches stdout
                fitted = GenerationLimits.check(lm.decoder(), new int[][] {promptIds}, cfg)[0];
            } catch (GenerationLimitException e) {
                boolean tooManyNew = (long) cfg.maxNewTokens() + 1 >= lm.context().length(); // no prompt could fit
                String option = switch (e.limit()) {
                    case BEAMS -> "--beams";
                    case MEMORY -> cfg.numBeams() > 1 ? "--beams" : "--max-new-tokens";
                    case CONTEXT_LENGTH -> tooManyNew ? "--max-new-tokens" : "--prompt";
                };
                throw bad(option, e.getMessage() + (option.equals("--prompt") ? " (--max-new-tokens N, --truncate-prompt)" : ""));
            }
            PrintStream err = System.err;
            if (fitted.length < promptIds.length) {
                err.println("note: the prompt's " + promptIds.length + " tokens were cut to their last " + fitted.length
                        + " to fit the model's context of " + lm.context().length() + " positions with " + cfg.maxNewTokens() + " new tokens");
            }
            if (cfg.sampling() && seed == null) err.println("seed " + cfg.seed());
            double loadSeconds = (System.nanoTime() - t0) / 1e9;

            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            if (!lm.isEncoderDecoder()) out.print(prompt); // a continuation reads after its prompt; T5's output stands alone
            out.flush();
            DecodeStream stream = lm.outputStream(fitted);
            long[] first = {0};
            int[] count = {0};
            long start = System.nanoTime();
            Generation.generate(lm.decoder(), new int[][] {fitted}, cfg, (row, token) -> {
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
            if (n == 0) {
                err.printf("0 tokens generated (%s; prompt of %d tokens; model loaded in %.2f s%s)%n",
                        cfg.maxNewTokens() == 0 ? "--max-new-tokens 0" : "the first token was a stop token", fitted.length,
                        loadSeconds, loadNote(quantization, target));
            } else if (cfg.numBeams() > 1) {
                err.printf("%d tokens in %.3f s: %.1f tokens/s (beam search, %d beams; model loaded in %.2f s%s)%n", n, total,
                        n / total, cfg.numBeams(), loadSeconds, loadNote(quantization, target));
            } else {
                err.printf("%d tokens in %.3f s: %.1f tokens/s (prompt of %d tokens and first token in %.3f s, then %.1f tokens/s;"
                                + " model loaded in %.2f s%s)%n", n, total, n / total, fitted.length, (first[0] - start) / 1e9,
                        n > 1 ? (n - 1) / afterFirst : 0.0, loadSeconds, loadNote(quantization, target));
            }
            return 0;
        }
    }

    private picocli.CommandLine.ParameterException bad(String option, String what) {
        return new picocli.CommandLine.ParameterException(spec.commandLine(), option + ": " + what);
    }

    private static String loadNote(Quantization q, Device target) {
        return (q == Quantization.Q8 ? ", weights quantized to Q8_0" : "") + (target.kind() == Device.Kind.CPU ? "" : ", on " + target);
    }

    private GenerationConfig config(GenerationConfig defaults) {
        GenerationConfig cfg = defaults;
        if (maxNewTokens != null) cfg = cfg.withMaxNewTokens(maxNewTokens);
        if (temperature != null) cfg = cfg.withTemperature(temperature);
        if (topK != null) cfg = cfg.withTopK(topK);
        if (topP != null) cfg = cfg.withTopP(topP);
        if (beams != null) cfg = cfg.withBeams(beams, cfg.lengthPenalty());
        if (truncatePrompt) cfg = cfg.withPromptTruncation(true);
        return cfg.withSeed(seed != null ? seed : new SecureRandom().nextLong());
    }
}

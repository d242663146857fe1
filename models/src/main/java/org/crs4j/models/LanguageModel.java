package org.crs4j.models;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.crs4j.autograd.Variable;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.generation.TokenDecoder;
import org.crs4j.models.tokenizer.DecodeStream;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.nn.Module;

/**
 * A loaded language model with its tokenizer, whatever its architecture: what the recommenders (LLMCRS's controller,
 * RLPF) and the command line use. LLaMA ({@code models.llama.Llama}, decoder-only: the prompt is continued) and T5
 * ({@code models.t5.T5}, encoder-decoder: the prompt is encoded and the output is a new sequence) implement it;
 * {@link LanguageModels#load} picks the right one for a folder.
 *
 * <p>Token-level methods take ids as the model expects them ({@link #encodePrompt}, {@link #encodeTarget}); the text
 * methods tokenize for you. Scores are {@link Variable}s that backpropagate into every trainable parameter of
 * {@link #module()} (freeze what you do not train with {@code module().setTrainable(false)}).
 *
 * <pre>{@code
 * try (LanguageModel lm = LanguageModels.load(Path.of("flan-t5-large"))) {
 *     String answer = lm.generate("Which movie is about a shark?", lm.defaults().withMaxNewTokens(20), null);
 *     Variable logP = lm.logProb("Which movie is about a shark?", answer);   // REINFORCE: -(R - b) * logP
 *     logP.mul(-(reward - baseline)).backward();
 * }
 * }</pre>
 */
public interface LanguageModel extends AutoCloseable {

    /** The folder or file it was loaded from. */
    Path source();

    /** The network: its parameters (Hugging Face names), train/eval mode, freezing. */
    Module module();

    /** What {@link Generation} drives: {@code Generation.generate(lm.decoder(), prompts, config, listener)}. */
    TokenDecoder decoder();

    /** @throws IllegalStateException when the model was loaded without a tokenizer */
    Tokenizer tokenizer();

    boolean hasTokenizer();

    /** Generation defaults: generation_config.json when the model has one, else greedy up to 256 tokens, stopping at EOS. */
    GenerationConfig defaults();

    /**
     * The positions the model was trained on and how requests are fitted into them: {@code context().length()} is
     * max_position_embeddings for LLaMA (llama2.c: seq_len), unlimited for T5. {@link Generation} and the scoring
     * methods refuse what does not fit with a {@link org.crs4j.models.generation.GenerationLimitException}, or
     * truncate the prompt when {@link GenerationConfig#withPromptTruncation} asks for it.
     */
    default org.crs4j.models.generation.ContextWindow context() {
        return decoder().context();
    }

    /** True for encoder-decoders (T5): the output is a new sequence, not a continuation of the prompt. */
    boolean isEncoderDecoder();

    /** Prompt ids as the model expects them: LLaMA puts BOS in front, T5 appends EOS. */
    int[] encodePrompt(String text);

    /**
     * Ids of a text to score after a prompt: LLaMA scores a continuation (its tokens as they follow the prompt, no EOS);
     * T5 scores a complete output, which ends with EOS as generated outputs and Hugging Face's labels do.
     */
    int[] encodeTarget(String text);

    /** A decoder for the ids generated after {@code prompt}: {@code next(id)} returns the text each id adds. */
    DecodeStream outputStream(int[] prompt);

    /** The text of ids generated after {@code prompt}. */
    default String decodeOutput(int[] prompt, int[] generated) {
        return tokenizer().decode(generated);
    }

    /**
     * Generates from {@code prompt} and returns the new text (a LLaMA continuation keeps its leading space);
     * {@code textStream} (may be null) receives the same text piece by piece as tokens are produced.
     */
    default String generate(String prompt, GenerationConfig config, Consumer<String> textStream) {
        int[] ids = encodePrompt(prompt);
        DecodeStream stream = outputStream(ids);
        int[][] out = Generation.generate(decoder(), new int[][] {ids}, config, (row, token) -> {
            String piece = stream.next(token);
            if (textStream != null && !piece.isEmpty()) textStream.accept(piece);
        });
        String rest = stream.flush();
        if (textStream != null && !rest.isEmpty()) textStream.accept(rest);
        return decodeOutput(ids, out[0]);
    }

    /** Generates for several prompts at once (one batch, padded); returns each prompt's new text. */
    default List<String> generate(List<String> prompts, GenerationConfig config) {
        int[][] ids = new int[prompts.size()][];
        for (int i = 0; i < ids.length; i++) ids[i] = encodePrompt(prompts.get(i));
        int[][] out = Generation.generate(decoder(), ids, config, null);
        List<String> texts = new ArrayList<>(out.length);
        for (int i = 0; i < out.length; i++) texts.add(decodeOutput(ids[i], out[i]));
        return texts;
    }

    /**
     * Summed log-probability of each target given its prompt, [B], differentiable. Ids as from {@link #encodePrompt}
     * and {@link #encodeTarget} (or as {@link Generation} produced them).
     */
    Variable logProbs(int[][] prompts, int[][] targets);

    /** log p(target | prompt) of a text pair, a differentiable scalar. */
    default Variable logProb(String prompt, String target) {
        return logProbs(new int[][] {encodePrompt(prompt)}, new int[][] {encodeTarget(target)}).select(0, 0);
    }

    /** Summed log-probabilities of text pairs, [B]. */
    default Variable logProbs(List<String> prompts, List<String> targets) {
        return logProbs(encodeAll(prompts, true), encodeAll(targets, false));
    }

    /**
     * Teacher-forced loss for supervised fine-tuning: mean cross-entropy over the target tokens of every pair (prompt
     * tokens are not learnt), as Hugging Face computes it with the prompt labelled -100.
     */
    default Variable loss(int[][] prompts, int[][] targets) {
        long count = 0;
        for (int[] t : targets) count += t.length;
        if (count == 0) throw new IllegalArgumentException("every target is empty: nothing to learn from");
        return logProbs(prompts, targets).sum().neg().div(count);
    }

    /** {@link #loss(int[][], int[][])} of text pairs. */
    default Variable loss(List<String> prompts, List<String> targets) {
        return loss(encodeAll(prompts, true), encodeAll(targets, false));
    }

    private int[][] encodeAll(List<String> texts, boolean prompt) {
        int[][] ids = new int[texts.size()][];
        for (int i = 0; i < ids.length; i++) ids[i] = prompt ? encodePrompt(texts.get(i)) : encodeTarget(texts.get(i));
        return ids;
    }

    /** Unmaps the weights: the model must not be used afterwards. */
    @Override
    void close();
}

package org.crs4j.crs.rlpf;

import java.util.List;
import org.crs4j.crs.controller.Pair;
import org.crs4j.models.LanguageModel;

/**
 * The environments {@code crs4j train rlpf --env} names. Today: {@code token:PIECE} (toy: HIT when the sampled output
 * contains that vocabulary piece; prompts from the pairs file) and {@code exact} (HIT when the output equals the pair's
 * target), and {@code llmcrs:DATASET} (LLMCRS turns on the dataset's training dialogues, {@link LlmcrsEnvironment}),
 * which the command assembles from its data options since it needs the prepared dataset rather than pairs.
 */
public final class Environments {
    /** {@code llmcrs:DATASET}: {@link LlmcrsEnvironment} on the dataset's training turns (assembled by the command). */
    public static final String LLMCRS = "llmcrs:";

    private Environments() {}

    /** Checks the spec's form before anything is loaded. */
    public static void check(String spec) {
        if (spec.equals("exact")) return;
        if (spec.startsWith(LLMCRS)) {
            String d = spec.substring(LLMCRS.length());
            if (!org.crs4j.data.model.Datasets.names().contains(d))
                throw new IllegalArgumentException("--env " + spec + ": \"" + d + "\" is not a dataset (" + String.join(", ", org.crs4j.data.model.Datasets.names()) + ")");
            return;
        }
        if (spec.startsWith("token:") && spec.length() > "token:".length()) return;
        throw new IllegalArgumentException("--env: \"" + spec + "\" is not an environment (token:PIECE, exact or llmcrs:DATASET)");
    }

    /**
     * @param pairs        the cases (prompts; targets for {@code exact})
     * @param maxNewTokens tokens each episode generates at most
     */
    public static Environment open(String spec, List<Pair> pairs, LanguageModel lm, int maxNewTokens) {
        check(spec);
        if (pairs == null || pairs.isEmpty()) throw new IllegalArgumentException("--pairs: --env " + spec + " needs prompts (a pairs file)");
        if (spec.equals("exact")) return new ExactMatchEnvironment(pairs, maxNewTokens);
        String piece = spec.substring("token:".length());
        int id = lm.tokenizer().pieceId(piece);
        if (id < 0) {
            throw new IllegalArgumentException("--env " + spec + ": \"" + piece + "\" is not a piece of the model's vocabulary (pieces look like \""
                    + lm.tokenizer().piece(Math.min(100, lm.tokenizer().vocabSize() - 1)) + "\")");
        }
        return new TargetTokenEnvironment(pairs.stream().map(Pair::prompt).toList(), id, piece, maxNewTokens);
    }
}

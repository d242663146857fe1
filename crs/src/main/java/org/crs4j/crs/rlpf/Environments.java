package org.crs4j.crs.rlpf;

import java.util.List;
import org.crs4j.crs.controller.Pair;
import org.crs4j.models.LanguageModel;

/**
 * The environments {@code crs4j train rlpf --env} names. Today: {@code token:PIECE} (toy: HIT when the sampled output
 * contains that vocabulary piece; prompts from the pairs file) and {@code exact} (HIT when the output equals the pair's
 * target). LLMCRS adds its own here (one line) once its stages exist.
 */
public final class Environments {
    private Environments() {}

    /** Checks the spec's form before anything is loaded. */
    public static void check(String spec) {
        if (spec.equals("exact")) return;
        if (spec.startsWith("token:") && spec.length() > "token:".length()) return;
        throw new IllegalArgumentException("--env: \"" + spec + "\" is not an environment (token:PIECE or exact)");
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

package org.crs4j.crs.rlpf;

/**
 * One text the policy generated during an episode, kept as the exact ids: log P(S | Θ) is summed over these, never
 * over a re-tokenisation of the decoded text.
 *
 * @param stage     which step of the episode asked (e.g. "detection", "matching", "response")
 * @param promptIds the prompt as the model encoded it
 * @param outputIds the sampled ids (EOS included when the model stopped)
 */
public record Sample(String stage, int[] promptIds, int[] outputIds) {
    public Sample {
        if (outputIds.length == 0) throw new IllegalArgumentException(stage + ": an empty sample has nothing to score");
    }

    public int tokens() {
        return outputIds.length;
    }
}

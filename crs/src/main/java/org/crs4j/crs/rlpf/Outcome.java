package org.crs4j.crs.rlpf;

/**
 * What an {@link Environment} measured of one episode, before it becomes a reward (seed 000, Eq. 2).
 *
 * @param hit    HIT of the ground-truth item in what the episode recommended, in [0, 1] (an environment may give
 *               partial credit, e.g. a toy task's share of correct tokens)
 * @param bleu   BLEU of the generated response against the ground-truth response, in [0, 1]; 0 where the
 *               environment produces no response
 * @param parsed false when the policy's text could not be read (no known sub-task, no expert id, ...): the episode
 *               then earns reward 0 whatever hit and bleu say, and the trainer counts it
 */
public record Outcome(double hit, double bleu, boolean parsed) {

    /** An episode whose generated text could not be read: reward 0, counted. */
    public static Outcome unparsed() {
        return new Outcome(0, 0, false);
    }

    public static Outcome of(double hit, double bleu) {
        return new Outcome(hit, bleu, true);
    }
}

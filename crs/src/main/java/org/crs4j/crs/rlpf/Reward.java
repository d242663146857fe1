package org.crs4j.crs.rlpf;

/**
 * Seed 000, Eq. 2: R = λ·HIT + (1 − λ)·BLEU, over an episode's {@link Outcome}. An episode whose text did not parse
 * earns 0. A NaN or out-of-range measurement is refused: a reward that is not a number would silently turn every
 * parameter into NaN at the next update.
 */
public final class Reward {
    private final double lambda;

    /** @throws IllegalArgumentException when λ is outside [0, 1] (the message names {@code --lambda}) */
    public Reward(double lambda) {
        if (!(lambda >= 0 && lambda <= 1)) throw new IllegalArgumentException("--lambda: " + lambda + " is outside [0, 1]");
        this.lambda = lambda;
    }

    public double lambda() {
        return lambda;
    }

    /**
     * @param episode names the episode in an error (e.g. "episode 3 (case 17)")
     * @throws IllegalArgumentException for NaN or values outside [0, 1], naming the episode
     */
    public double of(Outcome o, String episode) {
        check(o.hit(), "HIT", episode);
        check(o.bleu(), "BLEU", episode);
        if (!o.parsed()) return 0;
        return lambda * o.hit() + (1 - lambda) * o.bleu();
    }

    private static void check(double v, String what, String episode) {
        if (Double.isNaN(v)) throw new IllegalArgumentException(episode + ": reward is NaN (" + what + " is NaN)");
        if (v < 0 || v > 1) throw new IllegalArgumentException(episode + ": " + what + " " + v + " is outside [0, 1]");
    }
}

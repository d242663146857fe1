package org.crs4j.crs.rlpf;

/**
 * The baseline b of seed 000, Eq. 5: a moving average of past rewards, b ← b + rate·(R − b) for every episode in
 * the order played. Episodes of a step are all weighed against the b of the steps before (rewards of the same
 * batch are not "past"), then folded in.
 */
public final class Baseline {
    private final double rate;
    private double value;

    /**
     * @param rate  weight of each new reward, in (0, 1]
     * @param start b before any reward was seen
     */
    public Baseline(double rate, double start) {
        if (!(rate > 0 && rate <= 1)) throw new IllegalArgumentException("--baseline-rate: " + rate + " is outside (0, 1]");
        if (!Double.isFinite(start)) throw new IllegalArgumentException("--baseline-start: " + start + " is not a finite number");
        this.rate = rate;
        this.value = start;
    }

    public double value() {
        return value;
    }

    public double rate() {
        return rate;
    }

    public void update(double[] rewards) {
        for (double r : rewards) value += rate * (r - value);
    }

    /** Restores a saved value (exact: the checkpoint keeps the double's shortest round-trip text). */
    void set(double value) {
        this.value = value;
    }
}

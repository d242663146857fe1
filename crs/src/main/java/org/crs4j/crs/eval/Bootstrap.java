package org.crs4j.crs.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile-bootstrap 95% confidence intervals of per-sample means: draw n samples with replacement
 * {@value #RESAMPLES} times, take the 2.5th and 97.5th percentiles of the resampled means. Every metric of one
 * table is resampled with the same draws (the samples are resampled, not each column on its own), and the seed is
 * fixed, so the same predictions always print the same interval.
 */
public final class Bootstrap {
    public static final int RESAMPLES = 2000;
    public static final long SEED = 20_240_601L;

    private Bootstrap() {}

    /** One estimate per column of per-sample values (each {@code columns[c]} has one value per sample). */
    public static Estimate[] estimates(double[][] columns) {
        int n = columns.length == 0 ? 0 : columns[0].length;
        for (double[] c : columns) {
            if (c.length != n) throw new IllegalArgumentException("columns of different lengths: " + n + " and " + c.length);
        }
        if (n == 0) throw new IllegalArgumentException("no samples to estimate from");
        double[][] means = new double[columns.length][RESAMPLES];
        SplittableRandom rng = new SplittableRandom(SEED);
        double[] sums = new double[columns.length];
        for (int b = 0; b < RESAMPLES; b++) {
            Arrays.fill(sums, 0);
            for (int i = 0; i < n; i++) {
                int j = rng.nextInt(n);
                for (int c = 0; c < columns.length; c++) sums[c] += columns[c][j];
            }
            for (int c = 0; c < columns.length; c++) means[c][b] = sums[c] / n;
        }
        Estimate[] out = new Estimate[columns.length];
        for (int c = 0; c < columns.length; c++) {
            Arrays.sort(means[c]);
            out[c] = new Estimate(mean(columns[c]), percentile(means[c], 0.025), percentile(means[c], 0.975), n);
        }
        return out;
    }

    public static Estimate estimate(double[] values) {
        return estimates(new double[][] {values})[0];
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /** Linear interpolation between order statistics (numpy's default percentile). */
    static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}

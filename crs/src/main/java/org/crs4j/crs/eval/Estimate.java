package org.crs4j.crs.eval;

import java.util.Locale;

/**
 * A mean over {@code n} samples with its 95% confidence interval [lo, hi] (percentile bootstrap, see
 * {@link Bootstrap}).
 */
public record Estimate(double mean, double lo, double hi, int n) {

    /** {@code 0.2310 [0.2180, 0.2441]}. */
    public String format() {
        return String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", mean, lo, hi);
    }
}

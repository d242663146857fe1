package org.crs4j.crs.eval;

import java.util.Locale;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * The two-sided paired t-test of two systems' per-sample scores on the same samples (Commons Math's
 * {@code pairedTTest}; checked against SciPy's {@code ttest_rel}): t = mean(d) / (sd(d)/sqrt(n)), d = a - b,
 * n - 1 degrees of freedom.
 *
 * <p>Degenerate differences, which Commons Math answers with NaN: all differences equal to zero (the systems agree
 * on every sample) give t = 0 and p = 1; all equal to the same non-zero value give t = +-inf and p = 0.
 */
public record PairedTTest(int n, double meanA, double meanB, double t, double p) {

    public static PairedTTest of(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("paired samples of different sizes: " + a.length + " and " + b.length);
        if (a.length < 2) throw new IllegalArgumentException("a paired t-test needs at least 2 common samples, got " + a.length);
        double meanA = Bootstrap.mean(a), meanB = Bootstrap.mean(b);
        double d0 = a[0] - b[0];
        boolean constant = true;
        for (int i = 1; i < a.length && constant; i++) constant = a[i] - b[i] == d0;
        if (constant) {
            return d0 == 0 ? new PairedTTest(a.length, meanA, meanB, 0, 1)
                    : new PairedTTest(a.length, meanA, meanB, Math.copySign(Double.POSITIVE_INFINITY, d0), 0);
        }
        TTest test = new TTest();
        return new PairedTTest(a.length, meanA, meanB, test.pairedT(a, b), test.pairedTTest(a, b));
    }

    public double difference() {
        return meanA - meanB;
    }

    /** {@code 0.2310 vs 0.2011 (+0.0299), t = 2.31, p = 0.021}. */
    public String format() {
        return String.format(Locale.ROOT, "%.4f vs %.4f (%+.4f), t = %.2f, p = %s", meanA, meanB, difference(), t, formatP(p));
    }

    static String formatP(double p) {
        return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
    }
}

package org.crs4j.crs.eval;

import java.util.Locale;

/** Mean ± sample standard deviation (n - 1) of one figure across training seeds. */
public record SeedSummary(double mean, double std, int seeds) {

    public static SeedSummary of(double... values) {
        if (values.length == 0) throw new IllegalArgumentException("no seeds to summarise");
        double m = Bootstrap.mean(values), ss = 0;
        for (double v : values) ss += (v - m) * (v - m);
        return new SeedSummary(m, values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0, values.length);
    }

    /** {@code 0.2310 ± 0.0120}. */
    public String format() {
        return String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
}

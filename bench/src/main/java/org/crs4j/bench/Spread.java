package org.crs4j.bench;

import java.util.Arrays;

/**
 * Minimum, median and maximum of repeated measurements: what the benchmark programs print for every figure, so that
 * a reader sees how much the machine's load moved it (the median is the figure; an even count takes the mean of the
 * two middle values).
 */
public record Spread(int n, double min, double median, double max) {
    public static Spread of(double... values) {
        if (values.length == 0) throw new IllegalArgumentException("no measurements");
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Spread(n, s[0], median, s[n - 1]);
    }

    /** {@code "median (min–max, n runs)"} with the given number format, e.g. {@code "%.2f"}. */
    public String format(String number) {
        return String.format(number + " (" + number + "-" + number + ", %d runs)", median, min, max, n);
    }
}

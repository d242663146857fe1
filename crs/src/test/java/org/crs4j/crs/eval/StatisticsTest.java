package org.crs4j.crs.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The paired t-test against SciPy's ttest_rel (fixtures from scripts/make-rec-fixtures.py), bootstrap intervals and seed summaries. */
class StatisticsTest {

    @Test
    void pairedTTestMatchesScipy() throws Exception {
        JsonNode root = new ObjectMapper().readTree(getClass().getResource("/fixtures/ttest.json"));
        int cases = 0;
        for (JsonNode c : root.get("cases")) {
            double[] a = toArray(c.get("a")), b = toArray(c.get("b"));
            PairedTTest t = PairedTTest.of(a, b);
            String name = c.get("name").asText();
            assertEquals(c.get("t").asDouble(), t.t(), 1e-9 * Math.max(1, Math.abs(t.t())), name + ": t");
            assertEquals(c.get("p").asDouble(), t.p(), 1e-9, name + ": p");
            assertEquals(a.length, t.n());
            cases++;
        }
        assertEquals(4, cases);
    }

    @Test
    void degeneratePairsAreAnsweredWithoutNaN() {
        double[] a = {1, 0, 1, 1};
        PairedTTest same = PairedTTest.of(a, a.clone());
        assertEquals(0, same.t());
        assertEquals(1, same.p());
        PairedTTest shifted = PairedTTest.of(new double[] {1, 1, 1}, new double[] {0, 0, 0});
        assertEquals(Double.POSITIVE_INFINITY, shifted.t());
        assertEquals(0, shifted.p());
        assertThrows(IllegalArgumentException.class, () -> PairedTTest.of(new double[] {1}, new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> PairedTTest.of(new double[] {1, 0}, new double[] {0}));
    }

    private static double[] toArray(JsonNode n) {
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) v[i] = n.get(i).asDouble();
        return v;
    }

    @Test
    void bootstrapIntervalCoversTheNormalApproximationOfABinomialMean() {
        SplittableRandom r = new SplittableRandom(3);
        double[] hits = new double[4000];
        for (int i = 0; i < hits.length; i++) hits[i] = r.nextDouble() < 0.2 ? 1 : 0;
        Estimate e = Bootstrap.estimate(hits);
        double mean = Arrays.stream(hits).average().orElseThrow();
        assertEquals(mean, e.mean(), 1e-15);
        double half = 1.96 * Math.sqrt(mean * (1 - mean) / hits.length);   // about 0.0124
        assertEquals(mean - half, e.lo(), 0.1 * half);
        assertEquals(mean + half, e.hi(), 0.1 * half);
        assertEquals(e, Bootstrap.estimate(hits), "the same values must give the same interval");
        Estimate constant = Bootstrap.estimate(new double[] {0.5, 0.5, 0.5});
        assertEquals(0.5, constant.lo());
        assertEquals(0.5, constant.hi());
    }

    @Test
    void percentileInterpolatesLikeNumpy() {
        double[] sorted = {1, 2, 3, 4, 5};
        assertEquals(1.1, Bootstrap.percentile(sorted, 0.025), 1e-12);   // numpy.percentile([1..5], 2.5) = 1.1
        assertEquals(4.9, Bootstrap.percentile(sorted, 0.975), 1e-12);
    }

    @Test
    void seedSummaryIsMeanAndSampleStandardDeviation() {
        SeedSummary s = SeedSummary.of(0.2, 0.25, 0.3);
        assertEquals(0.25, s.mean(), 1e-15);
        assertEquals(0.05, s.std(), 1e-15);
        assertEquals("0.2500 ± 0.0500", s.format());
        assertTrue(SeedSummary.of(0.3).std() == 0);
    }
}

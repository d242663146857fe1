package org.crs4j.crs.rec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RankingTest {

    /** Reference: a full stable sort by descending score over the rankable entries. */
    private static int[] naiveOrder(float[] s) {
        return IntStream.range(0, s.length).boxed()
                .filter(i -> !Float.isNaN(s[i]) && s[i] != Float.NEGATIVE_INFINITY)
                .sorted(Comparator.<Integer>comparingDouble(i -> -s[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    @Test
    void topKAndRankAgreeWithAFullSortOnRandomScoresWithTiesAndMaskedEntries() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rnd.nextInt(200);
            float[] s = new float[n];
            for (int i = 0; i < n; i++) {
                int kind = rnd.nextInt(10);
                s[i] = kind == 0 ? Float.NEGATIVE_INFINITY : kind == 1 ? Float.NaN : rnd.nextInt(20) / 4f; // many ties
            }
            int[] order = naiveOrder(s);
            int k = rnd.nextInt(n + 3);
            assertArrayEquals(Arrays.copyOf(order, Math.min(k, order.length)), Ranking.topK(s, k), "trial " + trial);
            for (int i = 0; i < n; i++) {
                int expected = 0;
                for (int r = 0; r < order.length; r++) if (order[r] == i) expected = r + 1;
                assertEquals(expected, Ranking.rankOf(s, i), "trial " + trial + " index " + i);
            }
        }
    }
}

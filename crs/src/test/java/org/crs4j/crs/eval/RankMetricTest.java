package org.crs4j.crs.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HIT, MRR and NDCG at K against values worked out by hand. */
class RankMetricTest {

    @Test
    void singleRanksByHand() {
        // rank 1: all three are 1 at any K
        assertEquals(1.0, RankMetric.HIT.value(1, 1));
        assertEquals(1.0, RankMetric.MRR.value(1, 10));
        assertEquals(1.0, RankMetric.NDCG.value(1, 50));
        // rank 3 at K = 10: hit 1, mrr 1/3, ndcg 1/log2(4) = 1/2
        assertEquals(1.0, RankMetric.HIT.value(3, 10));
        assertEquals(1.0 / 3, RankMetric.MRR.value(3, 10), 1e-15);
        assertEquals(0.5, RankMetric.NDCG.value(3, 10), 1e-15);
        // rank 7: 1/log2(8) = 1/3
        assertEquals(1.0 / 3, RankMetric.NDCG.value(7, 7), 1e-15);
        // beyond K, and unranked (0): all zero
        for (RankMetric m : RankMetric.values()) {
            assertEquals(0.0, m.value(11, 10));
            assertEquals(0.0, m.value(0, 50));
        }
        assertThrows(IllegalArgumentException.class, () -> RankMetric.HIT.value(1, 0));
    }

    @Test
    void tableMeansByHand() {
        // four samples at ranks 1, 2, 12, absent; K = 1 and 10
        List<Prediction> p = List.of(
                new Prediction("d1", 1, "a", List.of("a", "b", "c")),
                new Prediction("d1", 3, "b", List.of("a", "b", "c")),
                new Prediction("d2", 1, "l", List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l")),
                new Prediction("d3", 2, "z", List.of("a", "b", "c")));
        int[] ranks = RankingEvaluation.ranks(p);
        assertEquals(List.of(1, 2, 12, 0), java.util.Arrays.stream(ranks).boxed().toList());
        Map<String, Estimate> e = RankingEvaluation.estimates(ranks, new int[] {1, 10});
        assertEquals(List.of("Recall@1", "Recall@10", "MRR@1", "MRR@10", "NDCG@1", "NDCG@10"), List.copyOf(e.keySet()));
        assertEquals(0.25, e.get("Recall@1").mean(), 1e-15);
        assertEquals(0.5, e.get("Recall@10").mean(), 1e-15);
        assertEquals((1 + 0.5) / 4, e.get("MRR@10").mean(), 1e-15);
        assertEquals((1 + 1 / (Math.log(3) / Math.log(2))) / 4, e.get("NDCG@10").mean(), 1e-15);
        assertEquals(4, e.get("NDCG@10").n());
    }

    @Test
    void cutOffsAreCheckedAgainstTheLists() {
        List<Prediction> p = List.of(new Prediction("d", 1, "a", List.of("a", "b")));
        var zero = assertThrows(IllegalArgumentException.class, () -> RankingEvaluation.checkKs(new int[] {0}, p, "f.jsonl"));
        assertEquals("--k: 0 is not a valid cut-off (K must be >= 1)", zero.getMessage());
        var far = assertThrows(IllegalArgumentException.class, () -> RankingEvaluation.checkKs(new int[] {1, 3}, p, "f.jsonl"));
        assertEquals("--k: 3 is beyond the 2 items f.jsonl ranks per sample", far.getMessage());
    }
}

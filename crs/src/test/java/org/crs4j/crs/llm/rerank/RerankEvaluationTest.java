package org.crs4j.crs.llm.rerank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.crs4j.crs.llm.Sampling;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedDialogue;
import org.crs4j.data.prepare.PreparedTurn;
import org.junit.jupiter.api.Test;

class RerankEvaluationTest {
    private static final RerankSettings FIVE = new RerankSettings(5, 3, 0, Sampling.greedy(8));

    private static Set<Integer> set(int[] a) {
        return Arrays.stream(a).boxed().collect(Collectors.toSet());
    }

    @Test
    void oraclesForceItemsInAtSeededRandomPositions() {
        int[] own = {10, 11, 12, 13, 14};
        // items are catalogue indices; entity of item i is 100 + i, item 9 has no entity
        int[] itemEntity = new int[10];
        for (int i = 0; i < 10; i++) itemEntity[i] = 100 + i;
        itemEntity[9] = -1;
        var d = new PreparedDialogue("d", List.of(new PreparedTurn(Role.SEEKER, "a", new int[] {1, 2}, new int[0]),
                new PreparedTurn(Role.RECOMMENDER, "b", new int[] {3, 9}, new int[0])));
        assertArrayEquals(own, RerankEvaluation.withOracle(own, RerankEvaluation.Oracle.NONE, 103, d, itemEntity, FIVE, 0));

        int[] present = RerankEvaluation.withOracle(own, RerankEvaluation.Oracle.TRUTH, 12, d, itemEntity, FIVE, 0);
        assertArrayEquals(own, present, "a target already there changes nothing");
        int[] positions = new int[5];
        for (int sample = 0; sample < 500; sample++) {
            int[] truth = RerankEvaluation.withOracle(own, RerankEvaluation.Oracle.TRUTH, 103, d, itemEntity, FIVE, sample);
            assertEquals(Set.of(10, 11, 12, 13, 103), set(truth), "the last candidate gives way to the target");
            assertEquals(5, truth.length);
            positions[RerankEvaluation.rank(truth, 103) - 1]++;
            assertArrayEquals(truth, RerankEvaluation.withOracle(own, RerankEvaluation.Oracle.TRUTH, 103, d, itemEntity, FIVE, sample), "seeded");
        }
        for (int p : positions) assertTrue(p > 60 && p < 140, "uniform positions: " + Arrays.toString(positions));

        int[] mentioned = RerankEvaluation.withOracle(own, RerankEvaluation.Oracle.MENTIONED, 103, d, itemEntity, FIVE, 7);
        assertEquals(Set.of(10, 11, 101, 102, 103), set(mentioned), "items 1, 2, 3 of the conversation replace the 3 lowest-ranked");
        int[] many = RerankEvaluation.withOracle(new int[] {10, 101}, RerankEvaluation.Oracle.MENTIONED, 103, d, itemEntity,
                new RerankSettings(2, 2, 0, Sampling.greedy(8)), 3);
        assertEquals(Set.of(101, 102, 103), set(many), "more forced items than candidates: the list grows, forced items kept");
    }

    @Test
    void limitsDrawDistinctSortedSeededSamples() {
        assertArrayEquals(new int[] {0, 1, 2, 3}, RerankEvaluation.choose(4, 0, 1));
        assertArrayEquals(new int[] {0, 1, 2, 3}, RerankEvaluation.choose(4, 9, 1));
        int[] a = RerankEvaluation.choose(1000, 50, 7), b = RerankEvaluation.choose(1000, 50, 7), c = RerankEvaluation.choose(1000, 50, 8);
        assertArrayEquals(a, b);
        assertTrue(!Arrays.equals(a, c));
        assertEquals(50, set(a).size());
        for (int i = 1; i < a.length; i++) assertTrue(a[i - 1] < a[i]);
    }

    @Test
    void noAnswerMakesTheParserThrow() {
        Random rng = new Random(3);
        String alphabet = "{}[]\":,;|-*#1.) \n\tRankingExplanationResponse: abc(2001)é";
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = rng.nextInt(200); j > 0; j--) sb.append(alphabet.charAt(rng.nextInt(alphabet.length())));
            var a = RerankAnswer.parse(sb.toString());
            assertEquals(a.parsed(), !a.titles().isEmpty(), sb.toString());
        }
    }
}

package org.crs4j.data.kg;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.crs4j.data.model.KnowledgeGraph;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {

    /** KBRD's _edge_list written out naively, as the reference: a set of (src, dst, relation name). */
    static Set<List<Object>> reference(KnowledgeGraph kg, int threshold, boolean distinct) {
        Map<Integer, Integer> count = new HashMap<>();
        for (int i = 0; i < kg.triples(); i++) if (kg.heads()[i] != kg.tails()[i]) count.merge(kg.relationIds()[i], 2, Integer::sum);
        Set<List<Object>> edges = new HashSet<>();
        for (int i = 0; i < kg.triples(); i++) {
            int h = kg.heads()[i], t = kg.tails()[i], r = kg.relationIds()[i];
            if (h == t || count.get(r) <= threshold) continue;
            String name = kg.relations().get(r);
            edges.add(List.of(h, t, name));
            edges.add(List.of(t, h, distinct ? name + "^-1" : name));
        }
        for (int e = 0; e < kg.entities().size(); e++) edges.add(List.of(e, e, GraphBuilder.SELF_LOOP));
        return edges;
    }

    static Set<List<Object>> actual(RelationalGraph g) {
        Set<List<Object>> edges = new HashSet<>();
        int[] rel = g.edgeRelations();
        for (int i = 0; i < g.edgeCount(); i++) edges.add(List.of(g.sources()[i], g.destinations()[i], g.relationNames().get(rel[i])));
        assertEquals(g.edgeCount(), edges.size(), "no duplicate edges");
        return edges;
    }

    static KnowledgeGraph random(Random rnd, int n, int relations, int triples) {
        List<String> ents = new ArrayList<>(), rels = new ArrayList<>();
        for (int i = 0; i < n; i++) ents.add("e" + i);
        for (int i = 0; i < relations; i++) rels.add("r" + i);
        int[] h = new int[triples], r = new int[triples], t = new int[triples];
        for (int i = 0; i < triples; i++) {
            h[i] = rnd.nextInt(n);
            t[i] = rnd.nextInt(10) == 0 ? h[i] : rnd.nextInt(n); // some self-triples, which KBRD drops
            r[i] = (int) Math.min(relations - 1, Math.abs(rnd.nextGaussian()) * relations / 3); // skewed frequencies
        }
        return new KnowledgeGraph("random", ents, rels, h, r, t);
    }

    @Test
    void matchesKbrdEdgeListOnRandomGraphs() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            KnowledgeGraph kg = random(rnd, 5 + rnd.nextInt(200), 1 + rnd.nextInt(12), rnd.nextInt(2000));
            int threshold = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(300);
            for (var inverse : GraphOptions.InverseRelations.values()) {
                RelationalGraph g = GraphBuilder.build(kg, new int[] {0, 3, 3, -1}, new GraphOptions(threshold, inverse));
                assertEquals(reference(kg, threshold, inverse == GraphOptions.InverseRelations.DISTINCT), actual(g), "trial " + trial + " " + inverse);
                checkCsr(g);
                assertEquals(g.relationCount() - 1, g.selfLoopRelation());
                assertTrue(g.isItem(0) && g.isItem(3) && !g.isItem(1));
            }
        }
    }

    /** Sorted by (relation, destination, source); rows and Z_{e,r} agree with a direct count. */
    static void checkCsr(RelationalGraph g) {
        int[] rel = g.edgeRelations();
        Map<List<Integer>, Integer> inDegree = new HashMap<>();
        for (int i = 0; i < g.edgeCount(); i++) {
            inDegree.merge(List.of(rel[i], g.destinations()[i]), 1, Integer::sum);
            if (i > 0) {
                long prev = ((long) rel[i - 1] << 42) | ((long) g.destinations()[i - 1] << 21) | g.sources()[i - 1];
                long cur = ((long) rel[i] << 42) | ((long) g.destinations()[i] << 21) | g.sources()[i];
                assertTrue(prev < cur, "edges sorted by (relation, destination, source)");
            }
        }
        int[] z = g.edgeInDegrees();
        for (int i = 0; i < g.edgeCount(); i++) assertEquals(inDegree.get(List.of(rel[i], g.destinations()[i])), z[i]);
        for (var e : inDegree.entrySet()) {
            int r = e.getKey().get(0), d = e.getKey().get(1);
            assertEquals(e.getValue(), g.inDegree(r, d));
            int[] nb = g.inNeighbours(r, d);
            assertEquals(e.getValue(), nb.length);
        }
        assertEquals(0, g.inDegree(0, g.entityCount() + 5), "an entity without in-edges has Z = 0");
        for (int r = 0; r < g.relationCount(); r++) {
            for (int k = g.rowOffsets()[r]; k < g.rowOffsets()[r + 1]; k++) {
                for (int i = g.rowStarts()[k]; i < g.rowEnd(k); i++) {
                    assertEquals(g.rowDestinations()[k], g.destinations()[i]);
                    assertEquals(r, rel[i]);
                }
            }
        }
    }

    @Test
    void thresholdCountsBothDirectionsAndIsStrict() {
        // r0 appears in 2 non-self triples -> 4 directed edges; r1 in 1 -> 2 edges; (2,r1,2) is a self-triple
        KnowledgeGraph kg = new KnowledgeGraph("k", List.of("a", "b", "c"), List.of("r0", "r1"),
                new int[] {0, 1, 0, 2}, new int[] {0, 0, 1, 1}, new int[] {1, 2, 2, 2});
        RelationalGraph keep = GraphBuilder.build(kg, new int[0], new GraphOptions(3, GraphOptions.InverseRelations.SHARED));
        assertEquals(List.of("r0", GraphBuilder.SELF_LOOP), keep.relationNames());
        assertEquals(4 + 3, keep.edgeCount());
        assertEquals(1, keep.provenance().droppedRelations());
        assertEquals(1, keep.provenance().droppedSelfTriples());
        RelationalGraph strict = GraphBuilder.build(kg, new int[0], new GraphOptions(4, GraphOptions.InverseRelations.SHARED));
        assertEquals(List.of(GraphBuilder.SELF_LOOP), strict.relationNames(), "kept only when count > threshold");
        RelationalGraph distinct = GraphBuilder.build(kg, new int[0], new GraphOptions(0, GraphOptions.InverseRelations.DISTINCT));
        assertEquals(List.of("r0", "r1", "r0^-1", "r1^-1", GraphBuilder.SELF_LOOP), distinct.relationNames());
        assertEquals(1, distinct.inDegree(0, 1), "a -> b under r0");
        assertEquals(1, distinct.inDegree(2, 0), "b -> a under r0^-1");
        assertEquals(1, distinct.inDegree(2, 1), "c -> b under r0^-1, the reverse of (b, r0, c)");
        assertEquals(0, distinct.inDegree(0, 0), "nothing points at a under r0");
        assertEquals(1, distinct.inDegree(4, 2), "self-loop: Z = 1");
    }
}

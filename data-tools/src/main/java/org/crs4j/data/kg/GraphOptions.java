package org.crs4j.data.kg;

/**
 * How a raw knowledge graph becomes the graph an RGCN layer runs on.
 *
 * @param minRelationCount a relation is kept only if it labels MORE than this many directed edges, counting both
 *                         directions of every non-self triple, as KBRD ({@code _edge_list}, "Discard infrequent
 *                         relations", {@code relation_cnt[r] > 1000}), KGSF and CRSLab do; 0 keeps every relation
 * @param inverse          how the reverse direction of a triple is labelled
 */
public record GraphOptions(int minRelationCount, InverseRelations inverse) {
    /** KBRD/KGSF/CRSLab's threshold for the ReDial DBpedia subgraph. */
    public static final int KBRD_MIN_RELATION_COUNT = 1000;

    public GraphOptions {
        if (minRelationCount < 0) throw new IllegalArgumentException("minRelationCount must be >= 0");
        if (inverse == null) throw new IllegalArgumentException("inverse is null");
    }

    public static GraphOptions kbrd() { return new GraphOptions(KBRD_MIN_RELATION_COUNT, InverseRelations.SHARED); }

    public static GraphOptions keepAll() { return new GraphOptions(0, InverseRelations.SHARED); }

    public GraphOptions withMinRelationCount(int n) { return new GraphOptions(n, inverse); }

    public GraphOptions withInverse(InverseRelations i) { return new GraphOptions(minRelationCount, i); }

    /** How the reverse edge t -> h of a triple (h, r, t) is labelled. */
    public enum InverseRelations {
        /** Under r itself, as KBRD, KGSF, CRSLab and UniCRS do (the graph is treated as undirected per relation). */
        SHARED,
        /** Under its own relation r^-1, as in Schlichtkrull et al.'s R-GCN: twice the relations, direction kept. */
        DISTINCT
    }
}

package org.crs4j.data.kg;

import java.util.Arrays;
import java.util.List;

/**
 * The prepared knowledge graph an RGCN layer consumes (seed 003 Eq. 2): entities 0..n-1, relations 0..R-1 (the kept
 * relations, their inverses if distinct, and a self-loop relation last), and edges held relation-major as a
 * per-relation CSR of in-edges:
 * <ul>
 *   <li>edges are sorted by (relation, destination, source); {@code relationOffsets[r]..relationOffsets[r+1]} is
 *       relation r's slice of {@link #sources()} and {@link #destinations()};</li>
 *   <li>within a relation, {@code rowDestinations} lists each destination that has in-edges under r (rows
 *       {@code rowOffsets[r]..rowOffsets[r+1]}) and {@code rowStarts[k]} is where its in-edges begin, so row k's
 *       sources are {@code sources[rowStarts[k] .. rowEnd(k))}: a CSR without the empty rows, which keeps memory
 *       O(edges) even for graphs with thousands of relations and 100k entities;</li>
 *   <li>the normalisation constant Z_{e,r} = in-degree of e under r is {@link #inDegree(int, int)}, and per edge
 *       {@link #edgeInDegrees()} (for 1/Z scaling in a gather-transform-scatter RGCN).</li>
 * </ul>
 * Graph aggregation as gather -> per-relation transform -> scatter-add: for r, gather h[sources[slice]], multiply by
 * W_r, scale by 1/Z, scatter-add into out[destinations[slice]].
 */
public record RelationalGraph(List<String> entityKeys, List<String> relationNames, int[] sources, int[] destinations,
                              int[] relationOffsets, int[] rowOffsets, int[] rowDestinations, int[] rowStarts,
                              int[] itemEntities, int selfLoopRelation, Provenance provenance) {

    /** What preparation did to the raw graph, for stats and the README's claims. */
    public record Provenance(String source, int rawRelations, int rawTriples, int droppedSelfTriples,
                             int droppedRelations, int minRelationCount, GraphOptions.InverseRelations inverse) {}

    public int entityCount() { return entityKeys.size(); }

    public int relationCount() { return relationNames.size(); }

    public int edgeCount() { return sources.length; }

    public int edgeCount(int relation) { return relationOffsets[relation + 1] - relationOffsets[relation]; }

    /** Exclusive end, in the edge arrays, of row k. */
    public int rowEnd(int k) {
        int r = relationOf(k);
        return k + 1 < rowOffsets[r + 1] ? rowStarts[k + 1] : relationOffsets[r + 1];
    }

    private int relationOf(int row) {
        int r = Arrays.binarySearch(rowOffsets, row);
        if (r >= 0) {
            while (r + 1 < rowOffsets.length && rowOffsets[r + 1] == row) r++;
            return r;
        }
        return -r - 2;
    }

    /** Z_{e,r}: how many in-edges entity e has under relation r (0 when none). */
    public int inDegree(int relation, int entity) {
        int from = rowOffsets[relation], to = rowOffsets[relation + 1];
        int k = Arrays.binarySearch(rowDestinations, from, to, entity);
        if (k < 0) return 0;
        int end = k + 1 < to ? rowStarts[k + 1] : relationOffsets[relation + 1];
        return end - rowStarts[k];
    }

    /** For every edge, the in-degree of its destination under its relation: Z_{dst,r}. */
    public int[] edgeInDegrees() {
        int[] z = new int[sources.length];
        for (int r = 0; r < relationCount(); r++) {
            for (int k = rowOffsets[r]; k < rowOffsets[r + 1]; k++) {
                int start = rowStarts[k], end = k + 1 < rowOffsets[r + 1] ? rowStarts[k + 1] : relationOffsets[r + 1];
                Arrays.fill(z, start, end, end - start);
            }
        }
        return z;
    }

    /** Every edge's relation id (expanded from the offsets, for layers that want a flat edge-type array). */
    public int[] edgeRelations() {
        int[] rel = new int[sources.length];
        for (int r = 0; r < relationCount(); r++) Arrays.fill(rel, relationOffsets[r], relationOffsets[r + 1], r);
        return rel;
    }

    /** In-neighbours of {@code entity} under {@code relation} (a copy). */
    public int[] inNeighbours(int relation, int entity) {
        int from = rowOffsets[relation], to = rowOffsets[relation + 1];
        int k = Arrays.binarySearch(rowDestinations, from, to, entity);
        if (k < 0) return new int[0];
        int end = k + 1 < to ? rowStarts[k + 1] : relationOffsets[relation + 1];
        return Arrays.copyOfRange(sources, rowStarts[k], end);
    }

    public boolean isItem(int entity) { return Arrays.binarySearch(itemEntities, entity) >= 0; }
}

package org.crs4j.data.kg;

import it.unimi.dsi.fastutil.longs.LongArrays;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.crs4j.data.model.KnowledgeGraph;

/**
 * Raw triples to the RGCN-ready {@link RelationalGraph}, following KBRD's {@code _edge_list} (also KGSF's and CRSLab's):
 * <ol>
 *   <li>self-edges in the file (h, r, h) are dropped (KBRD uses them only to find its self-loop id);</li>
 *   <li>every other triple gives two directed edges, h -> t and t -> h;</li>
 *   <li>a relation survives only if it labels more than {@code minRelationCount} of those directed edges;</li>
 *   <li>a self-loop relation, always kept and numbered last, gives every entity an edge to itself (KBRD adds it for
 *       all entities, so entities without neighbours still get a representation);</li>
 *   <li>duplicate edges are merged (KBRD, CRSLab and UniCRS all build an edge set).</li>
 * </ol>
 * With {@link GraphOptions.InverseRelations#DISTINCT} the reverse edge gets its own relation r^-1 (numbered right after
 * the kept relations); the frequency filter still counts both directions of the base relation, so the same relations
 * survive in both modes.
 */
public final class GraphBuilder {
    public static final String SELF_LOOP = "self_loop";

    private GraphBuilder() {}

    public static RelationalGraph build(KnowledgeGraph kg, int[] itemEntities, GraphOptions options) {
        int n = kg.entities().size();
        int rawRelations = kg.relations().size();
        int[] heads = kg.heads(), rels = kg.relationIds(), tails = kg.tails();

        long[] count = new long[rawRelations];
        int selfTriples = 0;
        for (int i = 0; i < heads.length; i++) {
            if (heads[i] == tails[i]) selfTriples++;
            else count[rels[i]] += 2;
        }
        int[] newId = new int[rawRelations];
        List<String> names = new ArrayList<>();
        for (int r = 0; r < rawRelations; r++) {
            if (count[r] > options.minRelationCount()) {
                newId[r] = names.size();
                names.add(kg.relations().get(r));
            } else newId[r] = -1;
        }
        int kept = names.size();
        int dropped = (int) Arrays.stream(count).filter(c -> c > 0).count() - kept;
        boolean distinct = options.inverse() == GraphOptions.InverseRelations.DISTINCT;
        if (distinct) for (int r = 0; r < kept; r++) names.add(names.get(r) + "^-1");
        int selfLoop = names.size();
        names.add(SELF_LOOP);

        // Encode each edge as one long sorting by (relation, destination, source): dedup and sort in one pass.
        LongOpenHashSet set = new LongOpenHashSet(heads.length * 2 + n);
        for (int i = 0; i < heads.length; i++) {
            int h = heads[i], t = tails[i], r = newId[rels[i]];
            if (h == t || r < 0) continue;
            set.add(key(r, t, h, n));
            set.add(key(distinct ? r + kept : r, h, t, n));
        }
        for (int e = 0; e < n; e++) set.add(key(selfLoop, e, e, n));
        long[] keys = set.toLongArray();
        LongArrays.radixSort(keys);

        int relations = names.size();
        int m = keys.length;
        int[] src = new int[m], dst = new int[m];
        int[] relOffsets = new int[relations + 1];
        int[] rowOffsets = new int[relations + 1];
        int[] rowDst = new int[m], rowStart = new int[m];
        int rows = 0, prevRel = -1, prevDst = -1;
        for (int i = 0; i < m; i++) {
            long k = keys[i];
            int r = (int) (k / ((long) n * n));
            long rest = k % ((long) n * n);
            int d = (int) (rest / n), s = (int) (rest % n);
            src[i] = s;
            dst[i] = d;
            while (prevRel < r) { prevRel++; relOffsets[prevRel] = i; rowOffsets[prevRel] = rows; prevDst = -1; }
            if (d != prevDst) { rowDst[rows] = d; rowStart[rows] = i; rows++; prevDst = d; }
        }
        while (prevRel < relations) { prevRel++; relOffsets[prevRel] = m; rowOffsets[prevRel] = rows; }

        int[] items = Arrays.stream(itemEntities).filter(e -> e >= 0 && e < n).sorted().distinct().toArray();
        var provenance = new RelationalGraph.Provenance(kg.name(), rawRelations, heads.length, selfTriples, dropped,
                options.minRelationCount(), options.inverse());
        return new RelationalGraph(kg.entities(), names, src, dst, relOffsets, rowOffsets,
                Arrays.copyOf(rowDst, rows), Arrays.copyOf(rowStart, rows), items, selfLoop, provenance);
    }

    private static long key(int relation, int destination, int source, int n) {
        return ((long) relation * n + destination) * n + source;
    }
}

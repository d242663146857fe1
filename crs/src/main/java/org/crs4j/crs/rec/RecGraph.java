package org.crs4j.crs.rec;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.nn.graph.RelationalGraph;
import org.crs4j.tensor.Tensor;

/**
 * A prepared dataset's knowledge graph as the recommender uses it: the RGCN's graph (data-tools' self-loop relation
 * dropped, since the layer's own self-loop weight W_0 plays its part), the item entities (the rows Eq. 4 scores)
 * and a fingerprint that a model directory stores to recognise the graph it was trained on.
 *
 * @param items       item entity ids, ascending (data-tools' {@code itemEntities})
 * @param fingerprint SHA-256 over entity keys, edges and items: a model trained on another graph is refused
 */
public record RecGraph(RelationalGraph rgcnGraph, int entities, int relations, int[] items, Tensor itemIds,
                       Int2IntOpenHashMap itemPosition, String fingerprint) {

    public static RecGraph of(PreparedDataset data) {
        var kg = data.graph();
        int selfLoop = kg.selfLoopRelation();
        int edges = kg.relationOffsets()[selfLoop]; // the self-loop relation is numbered last
        int[] src = Arrays.copyOf(kg.sources(), edges), dst = Arrays.copyOf(kg.destinations(), edges);
        int[] rel = Arrays.copyOf(kg.edgeRelations(), edges);
        RelationalGraph g = RelationalGraph.fromEdges(kg.entityCount(), selfLoop, src, dst, rel);
        int[] items = kg.itemEntities().clone();
        long[] ids = new long[items.length];
        Int2IntOpenHashMap position = new Int2IntOpenHashMap(items.length);
        position.defaultReturnValue(-1);
        for (int i = 0; i < items.length; i++) {
            ids[i] = items[i];
            position.put(items[i], i);
        }
        return new RecGraph(g, kg.entityCount(), selfLoop, items, Tensor.of(ids, items.length), position,
                fingerprint(kg.entityKeys(), src, dst, rel, items));
    }

    private static String fingerprint(java.util.List<String> keys, int[] src, int[] dst, int[] rel, int[] items) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String k : keys) {
                md.update(k.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            for (int[] a : new int[][] {src, dst, rel, items}) {
                ByteBuffer b = ByteBuffer.allocate(4 * a.length + 4);
                b.putInt(a.length);
                for (int v : a) b.putInt(v);
                md.update(b.array());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

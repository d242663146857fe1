package org.crs4j.data.kg;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.Json;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.KnowledgeGraph;

/**
 * The id-keyed DBpedia subgraph format of KBRD/KGSF ({@code subkg.pkl}, staged as JSON) and UniCRS
 * ({@code dbpedia_subkg.json}): {@code {"<headId>": [[relationId, tailId], ...], ...}}. Every triple is kept as read,
 * self-edges included; filtering is preparation's job ({@link GraphBuilder}).
 */
public final class IdSubgraphReader {
    private IdSubgraphReader() {}

    /**
     * @param relations relation names by id, or null when the format carries none (KGSF): then relations are named
     *                  {@code rel<id>} and their count is one more than the largest id seen
     */
    /**
     * Largest relation count of a subgraph whose relations have no names (KGSF's): each id up to the largest becomes
     * a relation with its own R-GCN weights, and the DBpedia subgraphs of these datasets use a few hundred, so an id
     * past this is a broken file, not a graph to allocate for.
     */
    static final int MAX_UNNAMED_RELATIONS = 1 << 16;

    public static KnowledgeGraph read(String name, List<String> entities, List<String> relations, DataFile subgraph, ReadReport report) {
        int n = entities.size();
        IntArrayList heads = new IntArrayList(), rels = new IntArrayList(), tails = new IntArrayList();
        int[] maxRel = {-1};
        Json.forEachObjectMember(subgraph, report, (key, value, at) -> {
            int head;
            try {
                head = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw at.error(key, "head entity key is not an integer id");
            }
            if (head < 0 || head >= n) throw at.error(key, "head entity id " + head + " outside 0.." + (n - 1));
            if (!value.isArray()) throw at.error(key, "expected an array of [relation, tail] pairs, got " + Json.kind(value));
            int start = heads.size();
            for (int i = 0; i < value.size(); i++) {
                var pair = value.get(i);
                String path = key + "[" + i + "]";
                if (!pair.isArray() || pair.size() != 2 || !pair.get(0).canConvertToInt() || !pair.get(1).canConvertToInt()
                        || !pair.get(0).isIntegralNumber() || !pair.get(1).isIntegralNumber()) {
                    heads.size(start); rels.size(start); tails.size(start);
                    throw at.error(path, "expected [relationId, tailId] integers, got " + pair);
                }
                int r = pair.get(0).intValue(), t = pair.get(1).intValue();
                String bad = null;
                if (t < 0 || t >= n) bad = "tail entity id " + t + " outside 0.." + (n - 1);
                else if (r < 0 || r >= (relations != null ? relations.size() : MAX_UNNAMED_RELATIONS))
                    bad = "relation id " + r + " outside 0.." + ((relations != null ? relations.size() : MAX_UNNAMED_RELATIONS) - 1);
                if (bad != null) {
                    heads.size(start); rels.size(start); tails.size(start);
                    throw at.error(path, bad);
                }
                heads.add(head); rels.add(r); tails.add(t);
                maxRel[0] = Math.max(maxRel[0], r);
            }
        });
        List<String> relNames = relations;
        if (relNames == null) {
            relNames = new ArrayList<>();
            for (int r = 0; r <= maxRel[0]; r++) relNames.add("rel" + r);
        }
        return new KnowledgeGraph(name, entities, relNames, heads.toIntArray(), rels.toIntArray(), tails.toIntArray());
    }
}

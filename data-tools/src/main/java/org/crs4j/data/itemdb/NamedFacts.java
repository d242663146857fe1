package org.crs4j.data.itemdb;

import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.kg.EntityIdsReader;
import org.crs4j.data.kg.IdSubgraphReader;
import org.crs4j.data.link.EntityNames;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.ItemCatalogue;
import org.crs4j.data.model.KnowledgeGraph;

/**
 * The facts the item database holds, from the named sources a dataset folder has: a DBpedia subgraph whose relations
 * carry names (UniCRS's {@code entity2id.json}, {@code relation2id.json}, {@code dbpedia_subkg.json}: ReDial's
 * {@code unicrs_dbpedia/}, INSPIRED's {@code unicrs/}) for triples whose head is a catalogue item (matched by entity
 * key), and each item's MovieLens genres. ReDial's default KGSF graph names no relations, so its facts come from the
 * UniCRS subgraph of the same DBpedia, matched through the same URIs. TG-ReDial and OpenDialKG have no named subgraph
 * in the data directory: their items get MovieLens facts only where matched (none for TG-ReDial's Chinese titles).
 */
public final class NamedFacts {
    /** Dataset -> folder of its UniCRS-style named subgraph, relative to the dataset folder. */
    private static final Map<String, String> NAMED_GRAPHS = Map.of("redial", "unicrs_dbpedia", "inspired", "unicrs");

    private NamedFacts() {}

    /** The named-graph folder used for a dataset, if it has one and it is present. */
    public static Optional<Path> namedGraphFolder(Path dataDir, String dataset) {
        String sub = NAMED_GRAPHS.get(dataset);
        if (sub == null) return Optional.empty();
        Path dir = dataDir.resolve(dataset).resolve(sub);
        return DataFile.find(dir, "relation2id.json").isPresent() ? Optional.of(dir) : Optional.empty();
    }

    public static List<ItemFact> read(Path dataDir, String dataset, ItemCatalogue items, ReadReport report) {
        List<ItemFact> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String genres = items.get(i).attributes().get("genres");
            if (genres == null) continue;
            for (String g : genres.split(",")) if (!g.isBlank()) out.add(new ItemFact(i, "genre", Genres.normalize(g), null, "movielens"));
        }
        var folder = namedGraphFolder(dataDir, dataset);
        if (folder.isEmpty()) return out;
        Path dir = folder.get();
        List<String> entities = EntityIdsReader.read(DataFile.require(dir, "entity2id.json"));
        List<String> relations = EntityIdsReader.read(DataFile.require(dir, "relation2id.json"));
        KnowledgeGraph kg = IdSubgraphReader.read(dataset + " named DBpedia subgraph", entities, relations, DataFile.require(dir, "dbpedia_subkg.json"), report);
        Object2IntOpenHashMap<String> itemOfEntity = new Object2IntOpenHashMap<>();
        itemOfEntity.defaultReturnValue(-1);
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            if (it.entity() != null) itemOfEntity.putIfAbsent(it.entity(), i);
        }
        String[] relationNames = new String[relations.size()];
        for (int r = 0; r < relationNames.length; r++) relationNames[r] = relationName(relations.get(r));
        for (int t = 0; t < kg.triples(); t++) {
            int item = itemOfEntity.getInt(entities.get(kg.heads()[t]));
            String rel = relationNames[kg.relationIds()[t]];
            if (item < 0 || rel == null) continue;
            String valueKey = entities.get(kg.tails()[t]);
            String value = rel.equals("genre") ? Genres.normalize(valueKey) : EntityNames.displayName(valueKey);
            out.add(new ItemFact(item, rel, value, valueKey, "dbpedia"));
        }
        return out;
    }

    /** {@code <http://dbpedia.org/ontology/musicComposer>} -> {@code musicComposer}; the self-loop is no fact (null). */
    static String relationName(String key) {
        String k = key.strip();
        if (k.startsWith("<") && k.endsWith(">")) k = k.substring(1, k.length() - 1);
        k = k.substring(k.lastIndexOf('/') + 1);
        if (k.isEmpty() || k.toLowerCase(Locale.ROOT).equals("self_loop")) return null;
        return k;
    }
}

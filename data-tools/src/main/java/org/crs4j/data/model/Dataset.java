package org.crs4j.data.model;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Everything read for one dataset, in the common model: dialogues per split, the item catalogue, the knowledge graph
 * (for datasets without one in shared: the entity vocabulary with no triples), and notes that say what is present, what is missing and how the splits were chosen.
 */
public record Dataset(String name, Map<Split, List<Dialogue>> splits, ItemCatalogue items, KnowledgeGraph graph,
                      List<String> notes) {
    public Dataset {
        var copy = new EnumMap<Split, List<Dialogue>>(Split.class);
        for (Split s : Split.values()) copy.put(s, List.copyOf(splits.getOrDefault(s, List.of())));
        splits = java.util.Collections.unmodifiableMap(copy);
        notes = List.copyOf(notes);
    }

    public List<Dialogue> split(Split s) { return splits.get(s); }

    public List<Dialogue> allDialogues() {
        List<Dialogue> all = new ArrayList<>();
        for (Split s : Split.values()) all.addAll(splits.get(s));
        return all;
    }
}

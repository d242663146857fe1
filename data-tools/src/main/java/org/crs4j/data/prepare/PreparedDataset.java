package org.crs4j.data.prepare;

import java.util.List;
import java.util.Map;
import org.crs4j.data.kg.RelationalGraph;
import org.crs4j.data.model.ItemCatalogue;
import org.crs4j.data.model.Split;

/**
 * A dataset ready for training: the prepared graph, the catalogue with each item's entity id ({@code -1} when not in
 * the graph), and per split the prepared dialogues and their recommendation and response samples.
 */
public record PreparedDataset(String name, ItemCatalogue items, int[] itemEntity, RelationalGraph graph,
                              Map<Split, PreparedSplit> splits, LinkingStats linking, List<String> notes) {
    public PreparedSplit split(Split s) { return splits.get(s); }
}

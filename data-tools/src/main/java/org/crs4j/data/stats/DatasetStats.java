package org.crs4j.data.stats;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.crs4j.data.kg.GraphBuilder;
import org.crs4j.data.kg.RelationalGraph;
import org.crs4j.data.model.Dataset;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Split;
import org.crs4j.data.model.Turn;
import org.crs4j.data.prepare.PrepareOptions;

/** Counts over a loaded dataset: the figures {@code crs4j data stats} prints and the slow test checks. */
public record DatasetStats(String name, Map<Split, Integer> dialogues, Map<Split, Integer> utterances, long tokens,
                           int items, int itemsWithEntity, int itemsMentioned, int kgEntities, int kgRelations,
                           int kgTriples, int graphRelations, int graphEdges, int minRelationCount) {

    public int totalDialogues() { return dialogues.values().stream().mapToInt(Integer::intValue).sum(); }

    public int totalUtterances() { return utterances.values().stream().mapToInt(Integer::intValue).sum(); }

    public double utterancesPerDialogue() { return totalDialogues() == 0 ? 0 : (double) totalUtterances() / totalDialogues(); }

    public double tokensPerUtterance() { return totalUtterances() == 0 ? 0 : (double) tokens / totalUtterances(); }

    public static DatasetStats of(Dataset d) {
        Map<Split, Integer> dialogues = new EnumMap<>(Split.class), utterances = new EnumMap<>(Split.class);
        long tokens = 0;
        Set<String> mentioned = new HashSet<>();
        for (Split s : Split.values()) {
            int u = 0;
            for (Dialogue dl : d.split(s)) {
                u += dl.turns().size();
                for (Turn t : dl.turns()) {
                    tokens += TokenCount.count(t.text());
                    for (String it : t.items()) if (d.items().indexOf(it) >= 0) mentioned.add(it);
                }
            }
            dialogues.put(s, d.split(s).size());
            utterances.put(s, u);
        }
        int withEntity = (int) d.items().items().stream().filter(i -> i.entity() != null).count();
        var options = PrepareOptions.defaultGraph(d.name(), d.graph().name());
        RelationalGraph g = GraphBuilder.build(d.graph(), new int[0], options);
        return new DatasetStats(d.name(), dialogues, utterances, tokens, d.items().size(), withEntity, mentioned.size(),
                d.graph().entities().size(), d.graph().relations().size(), d.graph().triples(), g.relationCount(),
                g.edgeCount(), options.minRelationCount());
    }
}

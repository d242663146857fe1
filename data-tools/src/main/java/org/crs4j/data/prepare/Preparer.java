package org.crs4j.data.prepare;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.crs4j.data.kg.GraphBuilder;
import org.crs4j.data.kg.GraphOptions;
import org.crs4j.data.kg.RelationalGraph;
import org.crs4j.data.link.EntityLinker;
import org.crs4j.data.link.GraphLinker;
import org.crs4j.data.link.Mention;
import org.crs4j.data.model.Dataset;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.ItemCatalogue;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Split;
import org.crs4j.data.model.Turn;
import org.crs4j.data.redial.RedialConversationReader;

/**
 * Turns a {@link Dataset} into a {@link PreparedDataset}: builds the graph, resolves every turn's items and entities
 * to ids (linking text where the dataset has no annotations of its own), merges consecutive turns of one speaker, and
 * cuts recommendation and response samples.
 *
 * <p>A turn's entities, in order: with text linking, the entities found in the text (ReDial's {@code @id} movie
 * mentions included) by position, then annotated entities and item entities not found there; without, the annotated
 * entities then the item entities (CRSLab's {@code entities + movies}). Entities or items unknown to the graph or the
 * catalogue are dropped and counted, as KBRD, KGSF and CRSLab drop them.
 */
public final class Preparer {
    /**
     * Part of the cache key: bump it whenever preparation (linking rules, sample cutting, graph building) changes what
     * it produces, so that caches written by older code are rebuilt rather than served.
     */
    public static final int ALGORITHM_VERSION = 5;

    private final Dataset dataset;
    private final ItemCatalogue items;
    private final RelationalGraph graph;
    private final int[] itemEntity;
    private final Object2IntOpenHashMap<String> entityIds = new Object2IntOpenHashMap<>();
    private final EntityLinker linker;
    private long itemMentions, unknownItems, itemEntityMentions, annotated, unknownEntities, exact, fuzzy, targetsWithoutEntity;

    private Preparer(Dataset dataset, PrepareOptions options) {
        this.dataset = dataset;
        this.items = dataset.items();
        GraphOptions g = options.graph() != null ? options.graph() : PrepareOptions.defaultGraph(dataset.name(), dataset.graph().name());
        entityIds.defaultReturnValue(-1);
        List<String> keys = dataset.graph().entities();
        for (int i = 0; i < keys.size(); i++) entityIds.put(keys.get(i), i);
        itemEntity = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            String e = items.get(i).entity();
            itemEntity[i] = e == null ? -1 : entityIds.getInt(e);
        }
        graph = GraphBuilder.build(dataset.graph(), itemEntity, g);
        boolean link = options.linkText() != null ? options.linkText() : PrepareOptions.defaultLinkText(dataset.name());
        // ReDial marks every movie mention as @id, so its text is linked for the other entities only
        linker = link ? GraphLinker.build(graph, items, itemEntity, !dataset.name().equals("redial")) : null;
    }

    public static PreparedDataset prepare(Dataset dataset, PrepareOptions options, Progress progress) {
        Preparer p = new Preparer(dataset, options);
        long turns = dataset.allDialogues().stream().mapToLong(d -> d.turns().size()).sum();
        progress.start("prepare " + dataset.name(), turns);
        Map<Split, PreparedSplit> splits = new EnumMap<>(Split.class);
        for (Split s : Split.values()) splits.put(s, p.split(dataset.split(s), progress));
        progress.done();
        var stats = new LinkingStats(p.itemMentions, p.unknownItems, p.itemEntityMentions, p.annotated, p.unknownEntities,
                p.exact, p.fuzzy, p.targetsWithoutEntity);
        return new PreparedDataset(dataset.name(), p.items, p.itemEntity, p.graph, splits, stats, dataset.notes());
    }

    private PreparedSplit split(List<Dialogue> dialogues, Progress progress) {
        List<PreparedDialogue> out = new ArrayList<>(dialogues.size());
        List<RecommendationSample> rec = new ArrayList<>();
        List<ResponseSample> resp = new ArrayList<>();
        for (Dialogue d : dialogues) {
            List<PreparedTurn> turns = merge(d.turns().stream().map(this::resolve).toList());
            int index = out.size();
            out.add(new PreparedDialogue(d.id(), turns));
            IntLinkedOpenHashSet context = new IntLinkedOpenHashSet();
            for (int t = 0; t < turns.size(); t++) {
                PreparedTurn turn = turns.get(t);
                if (t > 0) {
                    if (!turn.text().isBlank()) resp.add(new ResponseSample(index, t));
                    if (turn.role() == Role.RECOMMENDER) {
                        int[] ctx = context.toIntArray();
                        for (int item : turn.items()) {
                            int e = itemEntity[item];
                            if (e < 0) { targetsWithoutEntity++; continue; }
                            rec.add(new RecommendationSample(index, t, ctx, item, e));
                        }
                    }
                }
                for (int e : turn.entities()) context.add(e);
            }
            progress.advance(d.turns().size());
        }
        return new PreparedSplit(out, rec, resp);
    }

    /** Items and entities of one raw turn as ids. */
    private PreparedTurn resolve(Turn turn) {
        IntArrayList itemIds = new IntArrayList();
        for (String key : turn.items()) {
            int i = items.indexOf(key);
            if (i < 0) { unknownItems++; continue; }
            itemMentions++;
            if (itemEntity[i] >= 0) itemEntityMentions++;
            if (!itemIds.contains(i)) itemIds.add(i);
        }
        IntLinkedOpenHashSet entities = new IntLinkedOpenHashSet();
        if (linker != null) linkText(turn.text(), entities);
        for (String key : turn.entities()) {
            int e = entityIds.getInt(key);
            if (e < 0) { unknownEntities++; continue; }
            annotated++;
            entities.add(e);
        }
        for (int i : itemIds) if (itemEntity[i] >= 0) entities.add(itemEntity[i]);
        return new PreparedTurn(turn.role(), turn.text(), itemIds.toIntArray(), entities.toIntArray(), turn.acts());
    }

    /** Entities in the text, by position; ReDial's {@code @id} mentions count at their position and are hidden from the linker. */
    private void linkText(String text, IntLinkedOpenHashSet out) {
        List<long[]> found = new ArrayList<>(); // [offset, entity]
        String masked = text;
        if (text.indexOf('@') >= 0) {
            StringBuilder sb = new StringBuilder(text);
            Matcher m = RedialConversationReader.MENTION.matcher(text);
            while (m.find()) {
                int i = items.indexOf(m.group(1));
                if (i >= 0 && itemEntity[i] >= 0) found.add(new long[] {m.start(), itemEntity[i]});
                // a full stop where the mention was: chat often starts a new sentence right after a title
                sb.setCharAt(m.start(), '.');
                for (int k = m.start() + 1; k < m.end(); k++) sb.setCharAt(k, ' ');
            }
            masked = sb.toString();
        }
        for (Mention m : linker.link(masked)) {
            found.add(new long[] {m.start(), m.entity()});
            if (m.fuzzy()) fuzzy++; else exact++;
        }
        found.sort((a, b) -> Long.compare(a[0], b[0]));
        for (long[] f : found) out.add((int) f[1]);
    }

    /** Consecutive turns of one speaker become one (text joined by a space), as CRSLab merges ReDial's. */
    static List<PreparedTurn> merge(List<PreparedTurn> turns) {
        List<PreparedTurn> out = new ArrayList<>(turns.size());
        for (PreparedTurn t : turns) {
            if (!out.isEmpty() && out.getLast().role() == t.role()) {
                PreparedTurn p = out.removeLast();
                var acts = new java.util.LinkedHashSet<>(p.acts());
                acts.addAll(t.acts());
                out.add(new PreparedTurn(t.role(), p.text() + " " + t.text(), union(p.items(), t.items()), union(p.entities(), t.entities()), List.copyOf(acts)));
            } else out.add(t);
        }
        return out;
    }

    private static int[] union(int[] a, int[] b) {
        IntLinkedOpenHashSet s = new IntLinkedOpenHashSet(a);
        for (int x : b) s.add(x);
        return s.toIntArray();
    }
}

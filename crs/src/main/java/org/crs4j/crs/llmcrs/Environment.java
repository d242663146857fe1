package org.crs4j.crs.llmcrs;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.crs4j.crs.rec.PopularityRecommender;
import org.crs4j.crs.rec.Recommender;
import org.crs4j.data.itemdb.ItemDatabase;
import org.crs4j.data.link.EntityLinker;
import org.crs4j.data.link.GraphLinker;
import org.crs4j.data.link.Mention;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.PreparedTurn;
import org.crs4j.data.redial.RedialConversationReader;

/**
 * What LLMCRS's in-process experts and the pipeline share about one prepared dataset: the catalogue and graph, the
 * item database, the recommenders that {@code local:NAME} endpoints can name, and a linker for free text (chat input
 * and LLM responses) that knows item titles too. Immutable after construction apart from
 * {@link #withRecommender}, which returns a copy; safe to share between threads.
 */
public final class Environment {
    private final PreparedDataset data;
    private final ItemDatabase db;
    private final Map<String, Recommender> recommenders;
    private final EntityLinker linker;
    private final int[] itemOfEntity;
    private volatile org.crs4j.crs.llm.TitleMatcher titles; // built on first use: 30k titles take a moment

    private Environment(PreparedDataset data, ItemDatabase db, Map<String, Recommender> recommenders, EntityLinker linker, int[] itemOfEntity) {
        this.data = data;
        this.db = db;
        this.recommenders = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(recommenders)); // registration order, for messages
        this.linker = linker;
        this.itemOfEntity = itemOfEntity;
    }

    /**
     * The environment with the two recommenders every dataset has: {@code popularity} (training targets; where a
     * dataset has no training split, as TG-ReDial here, the counts are all zero and the list is by entity id) and
     * {@code movielens-popularity}.
     */
    public static Environment of(PreparedDataset data, ItemDatabase db) {
        int[] itemOfEntity = new int[data.graph().entityCount()];
        Arrays.fill(itemOfEntity, -1);
        for (int i = 0; i < data.itemEntity().length; i++) {
            int e = data.itemEntity()[i];
            if (e >= 0 && itemOfEntity[e] < 0) itemOfEntity[e] = i;
        }
        EntityLinker linker = GraphLinker.build(data.graph(), data.items(), data.itemEntity(), true);
        Map<String, Recommender> recs = new LinkedHashMap<>();
        for (Recommender r : List.of(PopularityRecommender.fromTrainingTargets(data), PopularityRecommender.fromMovieLensRatings(data)))
            recs.put(r.name(), r);
        return new Environment(data, db, recs, linker, itemOfEntity);
    }

    /** A copy that also offers {@code r} as {@code local:<r.name()>} (e.g. each trained causal-recommender variant). */
    public Environment withRecommender(Recommender r) {
        Map<String, Recommender> recs = new LinkedHashMap<>(recommenders);
        recs.put(r.name(), r);
        return new Environment(data, db, recs, linker, itemOfEntity);
    }

    public PreparedDataset data() { return data; }

    public ItemDatabase db() { return db; }

    public Map<String, Recommender> recommenders() { return recommenders; }

    /** The catalogue index of an item entity, or -1. */
    public int itemOfEntity(int entity) { return entity >= 0 && entity < itemOfEntity.length ? itemOfEntity[entity] : -1; }

    public Item item(int index) { return data.items().get(index); }

    /** "The Shining (1980)". */
    public String title(int index) { return data.items().get(index).title(); }

    /** A turn's text as a person reads it: ReDial's {@code @id} mentions become titles. */
    public String text(PreparedTurn turn) { return readable(turn.text()); }

    public String readable(String text) {
        if (text.indexOf('@') < 0) return text;
        Matcher m = RedialConversationReader.MENTION.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            int i = data.items().indexOf(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(i >= 0 ? title(i) : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Entity and item mentions in free text (titles included), in order. */
    public List<Mention> link(String text) { return linker.link(text); }

    private static final java.util.regex.Pattern YEAR_AFTER = java.util.regex.Pattern.compile("\\s*\\((\\d{4})\\)");

    /**
     * The catalogue item a mention names, or -1: its entity's item, unless the text writes a year right after it
     * ("Avatar (2009)") and the catalogue holds that name with that year — the linker knows names, not years, and
     * would take the namesake of another year (Avatar (2004)).
     */
    public int itemOfMention(String text, Mention m) {
        int item = itemOfEntity(m.entity());
        if (item < 0 || db == null) return item;
        Matcher y = YEAR_AFTER.matcher(text).region(m.end(), text.length());
        if (!y.lookingAt()) return item;
        int year = Integer.parseInt(y.group(1));
        var record = db.item(item);
        if (record.isEmpty() || record.get().year() == year) return item;
        var found = db.findByName(record.get().name(), year);
        return found.isEmpty() ? item : found.getFirst().index();
    }

    /**
     * A turn from free text, as preparation would have made it: its items (titles found in the text) and entities in
     * order of appearance. What the chat and the server pass for a user's message.
     */
    public PreparedTurn turn(Role role, String text) {
        var items = new it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet();
        var entities = new it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet();
        String readable = readable(text);
        for (Mention m : link(readable)) {
            int item = itemOfMention(readable, m);
            int entity = item >= 0 && data.itemEntity()[item] >= 0 ? data.itemEntity()[item] : m.entity();
            entities.add(entity);
            if (item >= 0) items.add(item);
        }
        return new PreparedTurn(role, text, items.toIntArray(), entities.toIntArray());
    }

    /** Seed 003's fuzzy title rule over the whole catalogue (position = catalogue index). */
    public org.crs4j.crs.llm.TitleMatcher titleMatcher() {
        var t = titles;
        if (t == null) {
            synchronized (this) {
                if (titles == null) titles = new org.crs4j.crs.llm.TitleMatcher(data.items().items().stream().map(Item::title).toList());
                t = titles;
            }
        }
        return t;
    }

    /** Display name of a graph entity (a title for items). */
    public String entityName(int entity) {
        int item = itemOfEntity(entity);
        if (item >= 0) return title(item);
        return org.crs4j.data.link.EntityNames.displayName(data.graph().entityKeys().get(entity));
    }
}

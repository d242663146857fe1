package org.crs4j.crs.llmcrs;

import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;
import java.util.List;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedTurn;

/**
 * The dialogue so far, as the stages and experts see it: prepared turns (items and entities as ids), oldest first.
 * The turn to produce is the next one, spoken by the recommender.
 *
 * @param id the dialogue's id in its dataset (demonstrations never come from the same dialogue), or null (chat)
 */
public record Conversation(String id, List<PreparedTurn> turns) {
    public Conversation {
        turns = List.copyOf(turns);
    }

    public Conversation(List<PreparedTurn> turns) { this(null, turns); }

    /** Entities of all turns, each once, in order of first mention (the recommenders' context, as in training). */
    public int[] entities() {
        IntLinkedOpenHashSet s = new IntLinkedOpenHashSet();
        for (PreparedTurn t : turns) for (int e : t.entities()) s.add(e);
        return s.toIntArray();
    }

    /** Items mentioned so far, each once, in order of first mention. */
    public int[] items() {
        IntLinkedOpenHashSet s = new IntLinkedOpenHashSet();
        for (PreparedTurn t : turns) for (int i : t.items()) s.add(i);
        return s.toIntArray();
    }

    /** The most recently mentioned item, or -1. */
    public int lastItem() {
        for (int t = turns.size() - 1; t >= 0; t--) {
            int[] items = turns.get(t).items();
            if (items.length > 0) return items[items.length - 1];
        }
        return -1;
    }

    /** The latest seeker turn, or null. */
    public PreparedTurn lastSeekerTurn() {
        for (int t = turns.size() - 1; t >= 0; t--) if (turns.get(t).role() == Role.SEEKER) return turns.get(t);
        return null;
    }

    /** The last {@code n} turns (all when fewer). */
    public Conversation last(int n) {
        return new Conversation(id, turns.subList(Math.max(0, turns.size() - n), turns.size()));
    }

    public boolean isEmpty() { return turns.isEmpty(); }
}

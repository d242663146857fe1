package org.crs4j.data.model;

import java.util.List;

/**
 * One utterance (or, in pre-merged formats such as UniCRS's, one run of a speaker's utterances).
 *
 * @param items    the items this turn mentions, as catalogue keys (ReDial movie ids, TG-ReDial db ids, ...)
 * @param entities the KG entities the dataset itself annotates on this turn, as KG entity keys (DBpedia URIs, names);
 *                 entities found by our own linker are added during preparation, not here
 * @param acts     the dialogue acts the dataset annotates on this turn, in order (TG-ReDial's goal-path actions such
 *                 as 推荐电影 or 谈论); empty where the dataset annotates none
 */
public record Turn(Role role, String text, List<String> items, List<String> entities, List<String> acts) {
    public Turn {
        if (role == null) throw new IllegalArgumentException("role is null");
        if (text == null) throw new IllegalArgumentException("text is null");
        items = List.copyOf(items);
        entities = List.copyOf(entities);
        acts = List.copyOf(acts);
    }

    public Turn(Role role, String text, List<String> items, List<String> entities) { this(role, text, items, entities, List.of()); }

    public Turn(Role role, String text) { this(role, text, List.of(), List.of()); }
}

package org.crs4j.data.model;

import java.util.List;

/**
 * One utterance (or, in pre-merged formats such as UniCRS's, one run of a speaker's utterances).
 *
 * @param items    the items this turn mentions, as catalogue keys (ReDial movie ids, TG-ReDial db ids, ...)
 * @param entities the KG entities the dataset itself annotates on this turn, as KG entity keys (DBpedia URIs, names);
 *                 entities found by our own linker are added during preparation, not here
 */
public record Turn(Role role, String text, List<String> items, List<String> entities) {
    public Turn {
        if (role == null) throw new IllegalArgumentException("role is null");
        if (text == null) throw new IllegalArgumentException("text is null");
        items = List.copyOf(items);
        entities = List.copyOf(entities);
    }

    public Turn(Role role, String text) { this(role, text, List.of(), List.of()); }
}

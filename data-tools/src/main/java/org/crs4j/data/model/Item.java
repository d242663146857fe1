package org.crs4j.data.model;

import java.util.Map;

/**
 * A recommendable item.
 *
 * @param key        the dataset's own id (ReDial movieId, MovieLens movieId, TG-ReDial db_id, a DBpedia URI...)
 * @param name       display name without the year, e.g. "The Shining"
 * @param year       release year, or 0 when unknown
 * @param entity     the KG entity key that stands for this item, or null when it is not in the KG
 * @param attributes further facts by name (genres, mentions, movielensId, ...), sorted for stable output
 */
public record Item(String key, String name, int year, String entity, Map<String, String> attributes) {
    public Item {
        if (key == null || name == null) throw new IllegalArgumentException("item key and name are required");
        attributes = Map.copyOf(attributes);
    }

    public Item withEntity(String entityKey) { return new Item(key, name, year, entityKey, attributes); }

    public Item withAttribute(String name, String value) {
        var copy = new java.util.TreeMap<>(attributes);
        copy.put(name, value);
        return new Item(key, this.name, year, entity, copy);
    }

    /** "The Shining (1980)", or the bare name when the year is unknown. */
    public String title() { return year > 0 ? name + " (" + year + ")" : name; }
}

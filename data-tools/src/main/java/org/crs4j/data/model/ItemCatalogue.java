package org.crs4j.data.model;

import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.util.List;
import java.util.Optional;

/** The items of a dataset, indexed 0..size-1 in a fixed order, with lookup by key. */
public final class ItemCatalogue {
    private final List<Item> items;
    private final Object2IntOpenHashMap<String> index;

    public ItemCatalogue(List<Item> items) {
        this.items = List.copyOf(items);
        this.index = new Object2IntOpenHashMap<>(items.size());
        index.defaultReturnValue(-1);
        for (int i = 0; i < this.items.size(); i++) {
            if (index.putIfAbsent(this.items.get(i).key(), i) != -1)
                throw new IllegalArgumentException("duplicate item key " + this.items.get(i).key());
        }
    }

    public static ItemCatalogue empty() { return new ItemCatalogue(List.of()); }

    public int size() { return items.size(); }

    public Item get(int index) { return items.get(index); }

    public List<Item> items() { return items; }

    /** Index of the item with this key, or -1. */
    public int indexOf(String key) { return index.getInt(key); }

    public Optional<Item> find(String key) {
        int i = indexOf(key);
        return i < 0 ? Optional.empty() : Optional.of(items.get(i));
    }
}

package org.crs4j.crs.rec;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import org.crs4j.data.prepare.PreparedDataset;

/**
 * Item entity id to the dataset's item id (a ReDial movie id, an INSPIRED DBpedia name), as predictions files name
 * items. Where several catalogue items share one graph entity (the same DBpedia film behind two catalogue ids), the
 * first in catalogue order names it, for targets and ranked lists alike, so that a hit is never lost to the alias.
 */
public final class ItemKeys {
    private final Int2ObjectOpenHashMap<String> byEntity;

    private ItemKeys(Int2ObjectOpenHashMap<String> byEntity) {
        this.byEntity = byEntity;
    }

    public static ItemKeys of(PreparedDataset data) {
        Int2ObjectOpenHashMap<String> m = new Int2ObjectOpenHashMap<>();
        int[] itemEntity = data.itemEntity();
        for (int i = 0; i < itemEntity.length; i++) {
            if (itemEntity[i] >= 0) m.putIfAbsent(itemEntity[i], data.items().get(i).key());
        }
        return new ItemKeys(m);
    }

    public String of(int entity) {
        String k = byEntity.get(entity);
        if (k == null) throw new IllegalArgumentException("entity " + entity + " is not an item of the dataset");
        return k;
    }
}

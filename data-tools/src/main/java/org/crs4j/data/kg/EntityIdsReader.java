package org.crs4j.data.kg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.Json;
import org.crs4j.data.io.ReadReport;

/**
 * {@code {"<key>": id, ...}} maps (KGSF's entity2entityId, UniCRS's entity2id and relation2id) read into a list indexed
 * by id. Ids must be dense 0..n-1 and unique: the KG files refer to entities only by id, so a gap or a clash would
 * silently attach edges to the wrong entity.
 */
public final class EntityIdsReader {
    private EntityIdsReader() {}

    public static List<String> read(DataFile file) {
        // Keys and ids are collected first and the list is sized by how many there are, never by the largest id a
        // file declares: an id of 2^27 in a four-entry file is a gap, found without building a list that long.
        List<String> keys = new ArrayList<>();
        it.unimi.dsi.fastutil.ints.IntArrayList ids = new it.unimi.dsi.fastutil.ints.IntArrayList();
        List<String> where = new ArrayList<>();
        Json.forEachObjectMember(file, ReadReport.strict(), (key, value, at) -> {
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0)
                throw at.error(key, "expected a non-negative integer id, got " + Json.kind(value));
            keys.add(key);
            ids.add(value.intValue());
            where.add(at.location());
        });
        String[] byId = new String[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            int id = ids.getInt(i);
            if (id >= byId.length) {
                throw file.error(where.get(i), keys.get(i), "id " + id + " is past the " + byId.length
                        + " keys of the file: ids must be dense, 0.." + (byId.length - 1));
            }
            if (byId[id] != null) throw file.error(where.get(i), keys.get(i), "id " + id + " is already used by \"" + byId[id] + "\"");
            byId[id] = keys.get(i);
        }
        return Arrays.asList(byId);
    }

    /** A JSON array of non-negative ints (KGSF movie_ids, UniCRS item_ids). */
    public static int[] readIntList(DataFile file, int bound) {
        var node = Json.readSmall(file);
        if (!node.isArray()) throw file.error("", "", "expected a JSON array of ids, got " + Json.kind(node));
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            var v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() >= bound)
                throw file.error("element " + (i + 1), "", "expected an entity id in 0.." + (bound - 1) + ", got " + Json.kind(v));
            out[i] = v.intValue();
        }
        return Arrays.stream(out).distinct().toArray();
    }
}

package org.crs4j.data.kg;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.io.TextLines;
import org.crs4j.data.model.KnowledgeGraph;

/**
 * Name-keyed triples, one {@code subject \t relation \t object} per line (OpenDialKG's opendialkg_triples.txt,
 * CRSLab's GoRecDial dbpedia_subkg.txt). Entities and relations get ids in order of first appearance, after any
 * vocabulary given up front (so ids agree with the published entity and relation lists).
 */
public final class TripleFileReader {
    private TripleFileReader() {}

    public static KnowledgeGraph read(String name, DataFile file, List<String> knownEntities, List<String> knownRelations, ReadReport report) {
        Vocabulary entities = new Vocabulary(knownEntities), relations = new Vocabulary(knownRelations);
        IntArrayList heads = new IntArrayList(), rels = new IntArrayList(), tails = new IntArrayList();
        TextLines.forEach(file, report, (line, n) -> {
            if (line.isBlank()) return;
            String[] f = line.split("\t", -1);
            String at = "line " + n;
            if (f.length != 3) throw file.error(at, "", "expected 3 tab-separated fields (subject, relation, object), found " + f.length);
            if (f[0].isBlank()) throw file.error(at, "subject", "empty");
            if (f[1].isBlank()) throw file.error(at, "relation", "empty");
            if (f[2].isBlank()) throw file.error(at, "object", "empty");
            heads.add(entities.id(f[0].strip()));
            rels.add(relations.id(f[1].strip()));
            tails.add(entities.id(f[2].strip()));
        });
        return new KnowledgeGraph(name, entities.names, relations.names, heads.toIntArray(), rels.toIntArray(), tails.toIntArray());
    }

    /** Names to dense ids, first come first served. */
    static final class Vocabulary {
        final List<String> names = new ArrayList<>();
        final Object2IntOpenHashMap<String> ids = new Object2IntOpenHashMap<>();

        Vocabulary(List<String> known) {
            ids.defaultReturnValue(-1);
            for (String s : known) id(s);
        }

        int id(String name) {
            int id = ids.getInt(name);
            if (id >= 0) return id;
            id = names.size();
            names.add(name);
            ids.put(name, id);
            return id;
        }
    }
}

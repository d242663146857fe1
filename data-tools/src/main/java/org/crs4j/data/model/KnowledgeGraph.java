package org.crs4j.data.model;

import java.util.List;

/**
 * A knowledge graph as read from disk, before any filtering: entity keys (DBpedia URIs or plain names), relation names
 * and (head, relation, tail) triples as parallel int arrays indexing them. Preparation ({@code org.crs4j.data.kg})
 * turns it into the relation-filtered, inverse-augmented CSR form an RGCN layer consumes.
 */
public record KnowledgeGraph(String name, List<String> entities, List<String> relations, int[] heads, int[] relationIds, int[] tails) {
    public KnowledgeGraph {
        entities = List.copyOf(entities);
        relations = List.copyOf(relations);
        if (heads.length != relationIds.length || heads.length != tails.length)
            throw new IllegalArgumentException("triple arrays differ in length");
        for (int i = 0; i < heads.length; i++) {
            if (heads[i] < 0 || heads[i] >= entities.size() || tails[i] < 0 || tails[i] >= entities.size())
                throw new IllegalArgumentException("triple " + i + " names an entity outside 0.." + (entities.size() - 1));
            if (relationIds[i] < 0 || relationIds[i] >= relations.size())
                throw new IllegalArgumentException("triple " + i + " names a relation outside 0.." + (relations.size() - 1));
        }
    }

    public int triples() { return heads.length; }

    public static KnowledgeGraph empty(String name, List<String> entities) {
        return new KnowledgeGraph(name, entities, List.of(), new int[0], new int[0], new int[0]);
    }

    /** The same entities and triples with this relation vocabulary (for graphs whose relations are known but unused). */
    public KnowledgeGraph withRelations(List<String> relationNames) {
        return new KnowledgeGraph(name, entities, relationNames, heads, relationIds, tails);
    }
}

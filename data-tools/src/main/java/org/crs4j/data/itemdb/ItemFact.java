package org.crs4j.data.itemdb;

/**
 * One fact about an item, as the item database stores it.
 *
 * @param item      the item's catalogue index
 * @param relation  the relation's name: {@code genre}, {@code starring}, {@code director}, {@code writer}, ... (DBpedia
 *                  ontology names, MovieLens's genres as {@code genre})
 * @param value     what a person reads ("Johnny Depp", "horror")
 * @param valueKey  the KG entity key of the value ({@code <http://dbpedia.org/resource/Johnny_Depp>}), or null for
 *                  literal values such as MovieLens genres
 * @param source    where it came from ({@code dbpedia} or {@code movielens})
 */
public record ItemFact(int item, String relation, String value, String valueKey, String source) {}

package org.crs4j.data.link;

/**
 * An entity found in text.
 *
 * @param start    char offset in the original text
 * @param end      exclusive end offset
 * @param entity   the entity id given to the linker
 * @param name     the normalized name that matched
 * @param distance 0 for an exact match, else the edit distance of the fuzzy match
 */
public record Mention(int start, int end, int entity, String name, int distance) {
    public boolean fuzzy() { return distance > 0; }
}

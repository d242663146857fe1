package org.crs4j.data.itemdb;

/**
 * An item's row in the item database.
 *
 * @param index      catalogue index in the prepared dataset the database was built from
 * @param key        the dataset's own item id
 * @param name       display name without year
 * @param year       release year, 0 when unknown
 * @param entity     KG entity key, or null
 * @param ratings    MovieLens rating count, 0 when not matched
 * @param meanRating MovieLens mean rating, NaN when not matched
 */
public record ItemRecord(int index, String key, String name, int year, String entity, int ratings, double meanRating) {
    /** "The Shining (1980)", or the bare name when the year is unknown. */
    public String title() { return year > 0 ? name + " (" + year + ")" : name; }
}

package org.crs4j.data.itemdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crs4j.data.link.NormalizedText;

/**
 * The embedded SQL item database (H2) that {@code crs4j data prepare} builds next to the prepared cache: one row per
 * catalogue item ({@code item}) and its facts ({@code fact}: genres, cast, director, writer, ... from the dataset's
 * named DBpedia subgraph and MovieLens). Opened read-only; every query is a parameterised statement. Methods are
 * synchronized on the one connection (queries take well under a millisecond; the chat and the server share it).
 *
 * <p>Schema ({@link #SCHEMA_VERSION}): {@code meta(name, val)}, {@code item(idx, item_key, name, norm_name, release_year,
 * entity, ratings, mean_rating)}, {@code fact(idx, relation, val, norm_val, val_entity, source, val_items)} ({@code
 * val_items}: how many items share the value, so a prominent star comes before a bit part).
 */
public final class ItemDatabase implements AutoCloseable {
    /** Part of the database's key: bump it when the schema or what the builder writes changes. */
    public static final int SCHEMA_VERSION = 3;
    /** What H2 appends to the base name of a database. */
    public static final String SUFFIX = ".mv.db";

    private final Connection connection;
    private final Path file;

    private ItemDatabase(Connection connection, Path file) {
        this.connection = connection;
        this.file = file;
    }

    /**
     * Opens a database file ({@code NAME.mv.db}) read-only.
     *
     * @throws IllegalArgumentException naming the file when it is missing or not an item database
     */
    public static ItemDatabase open(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no item database (run: crs4j data prepare DATASET)");
        try {
            Connection c = DriverManager.getConnection(url(file, true), "", "");
            try {
                ItemDatabase db = new ItemDatabase(c, file);
                db.meta(); // fails on a file that is not one of ours
                return db;
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException(file + ": not a readable item database: " + firstLine(e.getMessage()), e);
        }
    }

    static String url(Path file, boolean readOnly) {
        String name = file.toAbsolutePath().toString();
        if (!name.endsWith(SUFFIX)) throw new IllegalArgumentException(file + ": an item database file must end in " + SUFFIX);
        String base = name.substring(0, name.length() - SUFFIX.length());
        // IFEXISTS: never create an empty database by opening a wrong path; FILE_LOCK=NO with read-only access lets
        // several processes (chat, server, evaluation) read one file
        return "jdbc:h2:file:" + base + (readOnly ? ";ACCESS_MODE_DATA=r;FILE_LOCK=NO;IFEXISTS=TRUE" : "");
    }

    public Path file() { return file; }

    /** The build's metadata: key, dataset, counts. */
    public synchronized Map<String, String> meta() throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement s = connection.prepareStatement("SELECT name, val FROM meta ORDER BY name"); ResultSet r = s.executeQuery()) {
            while (r.next()) out.put(r.getString(1), r.getString(2));
        }
        return out;
    }

    public synchronized Optional<ItemRecord> item(int index) {
        return query("SELECT idx, item_key, name, release_year, entity, ratings, mean_rating FROM item WHERE idx = ?", s -> s.setInt(1, index), r -> {
            if (!r.next()) return Optional.<ItemRecord>empty();
            return Optional.of(record(r));
        });
    }

    /**
     * Every fact about an item, by relation, then — except for genres, which stay alphabetical — the most shared values
     * first (DBpedia lists a film's cast without billing order; a value shared by more items is the better-known one),
     * then by value.
     */
    public synchronized List<ItemFact> facts(int index) {
        return query("SELECT idx, relation, val, val_entity, source FROM fact WHERE idx = ? "
                + "ORDER BY relation, CASE WHEN relation = 'genre' THEN 0 ELSE val_items END DESC, val", s -> s.setInt(1, index), ItemDatabase::facts);
    }

    /**
     * Items whose normalized name ({@link NormalizedText} tokens joined by spaces) equals that of {@code title}, most
     * rated first, then lower index; {@code year} > 0 keeps only that year.
     */
    public synchronized List<ItemRecord> findByName(String title, int year) {
        String norm = normalizedName(title);
        if (norm.isEmpty()) return List.of();
        return query("SELECT idx, item_key, name, release_year, entity, ratings, mean_rating FROM item WHERE norm_name = ? AND (? = 0 OR release_year = ?) "
                + "ORDER BY ratings DESC, idx", s -> { s.setString(1, norm); s.setInt(2, year); s.setInt(3, year); }, r -> {
            List<ItemRecord> out = new ArrayList<>();
            while (r.next()) out.add(record(r));
            return out;
        });
    }

    /** Catalogue indices of items with this fact ({@code relation}, canonical value), ascending. */
    public synchronized int[] itemsWith(String relation, String normalizedValue) {
        return query("SELECT DISTINCT idx FROM fact WHERE relation = ? AND norm_val = ? ORDER BY idx",
                s -> { s.setString(1, relation); s.setString(2, normalizedValue); }, r -> {
            var out = new it.unimi.dsi.fastutil.ints.IntArrayList();
            while (r.next()) out.add(r.getInt(1));
            return out.toIntArray();
        });
    }

    /** Whether any item has a fact with this relation and canonical value (e.g. whether "horror" is a known genre). */
    public synchronized boolean hasValue(String relation, String normalizedValue) {
        return query("SELECT 1 FROM fact WHERE relation = ? AND norm_val = ? LIMIT 1",
                s -> { s.setString(1, relation); s.setString(2, normalizedValue); }, ResultSet::next);
    }

    /** Facts of {@code item} whose value is one of the given KG entities ("stars Johnny Depp" when Johnny Depp is given). */
    public synchronized List<ItemFact> factsNaming(int item, Collection<String> entityKeys) {
        if (entityKeys.isEmpty()) return List.of();
        List<ItemFact> out = new ArrayList<>();
        for (ItemFact f : facts(item)) if (f.valueKey() != null && entityKeys.contains(f.valueKey())) out.add(f);
        return out;
    }

    /** Facts that {@code item} shares with {@code other} (same relation and value), e.g. both star Johnny Depp. */
    public synchronized List<ItemFact> sharedFacts(int item, int other) {
        return query("SELECT a.idx, a.relation, a.val, a.val_entity, a.source FROM fact a JOIN fact b "
                + "ON a.relation = b.relation AND a.norm_val = b.norm_val WHERE a.idx = ? AND b.idx = ? ORDER BY a.relation, a.val",
                s -> { s.setInt(1, item); s.setInt(2, other); }, ItemDatabase::facts);
    }

    /** The relations under which a KG entity is a fact's value ({@code starring}, {@code director}...), most used first. */
    public synchronized List<String> relationsOfValue(String entityKey) {
        return query("SELECT relation, COUNT(*) n FROM fact WHERE val_entity = ? GROUP BY relation ORDER BY n DESC, relation",
                s -> s.setString(1, entityKey), r -> {
            List<String> out = new ArrayList<>();
            while (r.next()) out.add(r.getString(1));
            return out;
        });
    }

    /** The distinct canonical values of a relation (e.g. every genre), sorted. */
    public synchronized List<String> values(String relation) {
        return query("SELECT DISTINCT norm_val FROM fact WHERE relation = ? ORDER BY norm_val", s -> s.setString(1, relation), r -> {
            List<String> out = new ArrayList<>();
            while (r.next()) out.add(r.getString(1));
            return out;
        });
    }

    /** The key the database was built for (see {@link ItemDatabases}). */
    public String key() {
        try {
            return meta().getOrDefault("key", "");
        } catch (SQLException e) {
            throw new IllegalStateException(file + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** Names as the item table stores them in {@code norm_name}. */
    public static String normalizedName(String title) {
        return String.join(" ", NormalizedText.of(title).tokens());
    }

    private static ItemRecord record(ResultSet r) throws SQLException {
        double mean = r.getDouble(7);
        if (r.wasNull()) mean = Double.NaN;
        return new ItemRecord(r.getInt(1), r.getString(2), r.getString(3), r.getInt(4), r.getString(5), r.getInt(6), mean);
    }

    private static List<ItemFact> facts(ResultSet r) throws SQLException {
        List<ItemFact> out = new ArrayList<>();
        while (r.next()) out.add(new ItemFact(r.getInt(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5)));
        return out;
    }

    private interface Binder { void bind(PreparedStatement s) throws SQLException; }

    private interface Reader<T> { T read(ResultSet r) throws SQLException; }

    private <T> T query(String sql, Binder binder, Reader<T> reader) {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            binder.bind(s);
            try (ResultSet r = s.executeQuery()) {
                return reader.read(r);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(file + ": query failed: " + firstLine(e.getMessage()), e);
        }
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a read-only connection loses nothing
        }
    }
}

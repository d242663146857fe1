package org.crs4j.data.itemdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.crs4j.data.model.Item;
import org.crs4j.data.prepare.PreparedCache;
import org.crs4j.data.prepare.PreparedData;
import org.crs4j.data.prepare.PreparedDataset;

/**
 * Builds and caches the item database of a prepared dataset, as {@link PreparedData} caches the dataset: the file sits
 * next to the prepared cache ({@code redial-kgsf.items.mv.db} beside {@code redial-kgsf.prepared}), its {@code meta}
 * table holds the prepared cache's key plus {@link ItemDatabase#SCHEMA_VERSION}, and it is rebuilt when that key
 * changes. A build writes a temporary database in the same folder and renames it into place, so a reader never sees
 * a half-written file and an interrupted build leaves the old one intact.
 */
public final class ItemDatabases {
    private ItemDatabases() {}

    /** The built or cached database, and whether it was built now. */
    public record Result(Path file, boolean built, int items, int facts) {}

    /** The item database file that belongs to a prepared cache file. */
    public static Path fileFor(Path preparedCacheFile) {
        String name = preparedCacheFile.getFileName().toString();
        if (name.endsWith(".prepared")) name = name.substring(0, name.length() - ".prepared".length());
        return preparedCacheFile.resolveSibling(name + ".items" + ItemDatabase.SUFFIX);
    }

    /** The database for {@code prepared} (from {@link PreparedData#obtain}), built when missing or stale. */
    public static Result obtain(Path dataDir, PreparedData.Result prepared, boolean rebuild) {
        Path file = fileFor(prepared.cacheFile());
        String key = "itemdb v" + ItemDatabase.SCHEMA_VERSION + " " + PreparedCache.storedKey(prepared.cacheFile()).orElse("uncached");
        if (!rebuild && Files.isRegularFile(file)) {
            try (ItemDatabase db = ItemDatabase.open(file)) {
                var meta = db.meta();
                if (key.equals(meta.get("key")))
                    return new Result(file, false, Integer.parseInt(meta.getOrDefault("items", "0")), Integer.parseInt(meta.getOrDefault("facts", "0")));
            } catch (IllegalArgumentException | SQLException e) {
                // unreadable or foreign: rebuilt below
            }
        }
        var d = prepared.dataset();
        List<ItemFact> facts = NamedFacts.read(dataDir, d.name(), d.items(), prepared.loadOptions().report());
        build(file, key, d, facts);
        return new Result(file, true, d.items().size(), facts.size());
    }

    /** Writes the database for {@code d} with these facts to {@code file}, atomically. */
    public static void build(Path file, String key, PreparedDataset d, List<ItemFact> facts) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName().toString().replace(ItemDatabase.SUFFIX, ""), ".tmp" + ItemDatabase.SUFFIX);
            Files.delete(tmp); // H2 creates the file itself; the name is ours
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the item database in " + dir + ": " + e.getMessage(), e);
        }
        try {
            try (Connection c = DriverManager.getConnection(ItemDatabase.url(tmp, false), "", "")) {
                write(c, key, d, facts);
                try (Statement s = c.createStatement()) { s.execute("SHUTDOWN COMPACT"); }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not build the item database " + file + ": " + ItemDatabase.firstLine(e.getMessage()), e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the item database " + file + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
                String base = tmp.toString().substring(0, tmp.toString().length() - ItemDatabase.SUFFIX.length());
                Files.deleteIfExists(Path.of(base + ".trace.db"));
            } catch (IOException ignored) {
                // a stray temporary file is harmless; the next build writes another name
            }
        }
    }

    private static void write(Connection c, String key, PreparedDataset d, List<ItemFact> facts) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE meta(name VARCHAR PRIMARY KEY, val VARCHAR NOT NULL)");
            s.execute("CREATE TABLE item(idx INT PRIMARY KEY, item_key VARCHAR NOT NULL, name VARCHAR NOT NULL, norm_name VARCHAR NOT NULL, "
                    + "release_year INT NOT NULL, entity VARCHAR, ratings INT NOT NULL, mean_rating DOUBLE)");
            s.execute("CREATE TABLE fact(idx INT NOT NULL, relation VARCHAR NOT NULL, val VARCHAR NOT NULL, norm_val VARCHAR NOT NULL, "
                    + "val_entity VARCHAR, source VARCHAR NOT NULL, val_items INT NOT NULL)");
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < d.items().size(); i++) {
                Item it = d.items().get(i);
                p.setInt(1, i);
                p.setString(2, it.key());
                p.setString(3, it.name());
                p.setString(4, ItemDatabase.normalizedName(it.name()));
                p.setInt(5, it.year());
                p.setString(6, it.entity());
                p.setInt(7, parseInt(it.attributes().get("ratings")));
                String mean = it.attributes().get("meanRating");
                if (mean == null) p.setNull(8, java.sql.Types.DOUBLE); else p.setDouble(8, Double.parseDouble(mean));
                p.addBatch();
                if (i % 4096 == 4095) p.executeBatch();
            }
            p.executeBatch();
        }
        // how many items share each value: a star of 40 films before one of 2 (DBpedia gives no billing order)
        java.util.Map<String, java.util.Set<Integer>> itemsOfValue = new java.util.HashMap<>();
        for (ItemFact f : facts) itemsOfValue.computeIfAbsent(f.relation() + "\u0000" + f.value(), k -> new java.util.HashSet<>()).add(f.item());
        try (PreparedStatement p = c.prepareStatement("INSERT INTO fact VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            int n = 0;
            for (ItemFact f : facts) {
                p.setInt(1, f.item());
                p.setString(2, f.relation());
                p.setString(3, f.value());
                p.setString(4, f.relation().equals("genre") ? Genres.normalize(f.value()) : ItemDatabase.normalizedName(f.value()));
                p.setString(5, f.valueKey());
                p.setString(6, f.source());
                p.setInt(7, itemsOfValue.get(f.relation() + "\u0000" + f.value()).size());
                p.addBatch();
                if (++n % 4096 == 0) p.executeBatch();
            }
            p.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE INDEX item_norm ON item(norm_name)");
            s.execute("CREATE INDEX fact_idx ON fact(idx)");
            s.execute("CREATE INDEX fact_value ON fact(relation, norm_val)");
            s.execute("CREATE INDEX fact_entity ON fact(val_entity)");
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO meta VALUES (?, ?)")) {
            String[][] rows = {{"key", key}, {"dataset", d.name()}, {"schema", Integer.toString(ItemDatabase.SCHEMA_VERSION)},
                    {"items", Integer.toString(d.items().size())}, {"facts", Integer.toString(facts.size())},
                    {"built", java.time.Instant.now().toString()}};
            for (String[] r : rows) { p.setString(1, r[0]); p.setString(2, r[1]); p.addBatch(); }
            p.executeBatch();
        }
        c.commit();
    }

    private static int parseInt(String s) {
        if (s == null) return 0;
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** One line for {@code data prepare}'s output. */
    public static String describe(Result r) {
        return String.format(Locale.ROOT, "  item database: %,d items, %,d facts, %s -> %s", r.items(), r.facts(), r.built() ? "built" : "cached", r.file());
    }
}

package org.crs4j.data.movielens;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Item;

/** Adds MovieLens facts to a movie catalogue when {@code movielens/ml-latest-small} is in the data directory. */
public final class MovieLensSupplement {
    public static final String DIR = "movielens/ml-latest-small";

    private MovieLensSupplement() {}

    public record Result(List<Item> items, int matched, List<String> notes) {}

    public static Result attach(Path dataDir, List<Item> items, ReadReport report) {
        Path dir = dataDir.resolve(DIR);
        if (!Files.isDirectory(dir)) return new Result(items, 0, List.of("movielens: not present, items carry no MovieLens genres or popularity"));
        List<Item> ml = MovieLensReader.read(dir, report);
        var r = MovieLensLinks.attach(items, ml);
        return new Result(r.items(), r.matched(), List.of(String.format(java.util.Locale.ROOT,
                "movielens: %,d of %,d items matched a MovieLens ml-latest-small title by normalized name + year (genres, rating count, mean rating attached)",
                r.matched(), items.size())));
    }
}

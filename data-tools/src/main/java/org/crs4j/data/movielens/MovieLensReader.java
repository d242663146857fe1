package org.crs4j.data.movielens;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2DoubleOpenHashMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.crs4j.data.io.Csv;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.Titles;

/**
 * MovieLens ml-latest-small (GroupLens): {@code movies.csv} (movieId,title,genres) as the catalogue, {@code links.csv}
 * (IMDb/TMDb ids), and {@code ratings.csv[.gz]} for popularity (number of ratings and mean rating per movie). Titles
 * such as "American President, The (1995)" are turned back into "The American President".
 */
public final class MovieLensReader {
    private MovieLensReader() {}

    public static List<Item> read(Path dir, ReadReport report) {
        Map<Integer, String[]> links = new HashMap<>();
        DataFile.find(dir, "links.csv").ifPresent(f -> Csv.forEach(f, report, (r, line) -> {
            if (line == 1 && r.get(0).equals("movieId")) return;
            if (r.size() != 3) throw f.error("line " + line, "", "expected 3 columns (movieId,imdbId,tmdbId), found " + r.size());
            links.put(id(f, line, "movieId", r.get(0)), new String[] {r.get(1), r.get(2)});
        }));
        Int2IntOpenHashMap count = new Int2IntOpenHashMap();
        Int2DoubleOpenHashMap sum = new Int2DoubleOpenHashMap();
        DataFile.find(dir, "ratings.csv").ifPresent(f -> Csv.forEach(f, report, (r, line) -> {
            if (line == 1 && r.get(0).equals("userId")) return;
            if (r.size() != 4) throw f.error("line " + line, "", "expected 4 columns (userId,movieId,rating,timestamp), found " + r.size());
            int movie = id(f, line, "movieId", r.get(1));
            double rating;
            try {
                rating = Double.parseDouble(r.get(2));
            } catch (NumberFormatException e) {
                throw f.error("line " + line, "rating", "expected a number, got \"" + r.get(2) + "\"");
            }
            if (rating < 0 || rating > 5) throw f.error("line " + line, "rating", "outside 0..5: " + rating);
            count.addTo(movie, 1);
            sum.addTo(movie, rating);
        }));
        List<Item> items = new ArrayList<>();
        Map<Integer, Integer> firstLine = new HashMap<>();
        DataFile movies = DataFile.require(dir, "movies.csv");
        Csv.forEach(movies, report, (r, line) -> {
            if (line == 1 && r.get(0).equals("movieId")) return;
            String at = "line " + line;
            if (r.size() != 3) throw movies.error(at, "", "expected 3 columns (movieId,title,genres), found " + r.size());
            int id = id(movies, line, "movieId", r.get(0));
            Integer seen = firstLine.putIfAbsent(id, line);
            if (seen != null) throw movies.error(at, "movieId", "duplicate id " + id + " (first at line " + seen + ")");
            var ny = Titles.split(r.get(1));
            if (ny.name().isEmpty()) throw movies.error(at, "title", "empty");
            Map<String, String> attrs = new TreeMap<>();
            if (!MovieTitles.primaryName(ny.name()).equals(ny.name())) attrs.put("listedAs", ny.name());
            String genres = r.get(2).strip();
            if (!genres.isEmpty() && !genres.equals("(no genres listed)")) attrs.put("genres", genres.replace('|', ','));
            String[] l = links.get(id);
            if (l != null && !l[0].isEmpty()) attrs.put("imdbId", l[0]);
            if (l != null && !l[1].isEmpty()) attrs.put("tmdbId", l[1]);
            int n = count.get(id);
            attrs.put("ratings", Integer.toString(n));
            if (n > 0) attrs.put("meanRating", String.format(java.util.Locale.ROOT, "%.2f", sum.get(id) / n));
            items.add(new Item(Integer.toString(id), MovieTitles.primaryName(ny.name()), ny.year(), null, attrs));
        });
        report.requireRecords(movies, items.size(), "movies: an empty catalogue");
        return items;
    }

    private static int id(DataFile f, int line, String field, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw f.error("line " + line, field, "expected an integer id, got \"" + value + "\"");
        }
    }
}

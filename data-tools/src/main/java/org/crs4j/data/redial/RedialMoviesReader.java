package org.crs4j.data.redial;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crs4j.data.io.Csv;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.Titles;

/** {@code movies_with_mentions.csv}: header {@code movieId,movieName,nbMentions}; names may be quoted and hold commas. */
public final class RedialMoviesReader {
    private RedialMoviesReader() {}

    public static List<Item> read(DataFile file, ReadReport report) {
        List<Item> items = new ArrayList<>();
        java.util.Map<String, Integer> firstLine = new java.util.HashMap<>();
        boolean[] header = {true};
        Csv.forEach(file, report, (f, line) -> {
            if (header[0]) {
                header[0] = false;
                if (!f.isEmpty() && f.get(0).equals("movieId")) return;
            }
            if (f.size() == 1 && f.get(0).isEmpty()) return;
            String at = "line " + line;
            if (f.size() != 3) throw file.error(at, "", "expected 3 columns (movieId,movieName,nbMentions), found " + f.size());
            String id = f.get(0).strip();
            if (!id.matches("\\d+")) throw file.error(at, "movieId", "expected a numeric id, got \"" + id + "\"");
            Integer seen = firstLine.putIfAbsent(id, line);
            if (seen != null) throw file.error(at, "movieId", "duplicate id " + id + " (first at line " + seen + ")");
            String mentions = f.get(2).strip();
            if (!mentions.matches("\\d+")) throw file.error(at, "nbMentions", "expected a count, got \"" + mentions + "\"");
            var ny = Titles.split(f.get(1));
            if (ny.name().isEmpty()) throw file.error(at, "movieName", "empty");
            items.add(new Item(id, ny.name(), ny.year(), null, Map.of("mentions", mentions)));
        });
        report.requireRecords(file, items.size(), "movies: an empty catalogue");
        return items;
    }
}

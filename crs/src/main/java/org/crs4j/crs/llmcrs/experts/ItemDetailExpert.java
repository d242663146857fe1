package org.crs4j.crs.llmcrs.experts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.ItemNames;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.data.itemdb.ItemFact;
import org.crs4j.data.itemdb.ItemRecord;

/**
 * Item detail search: the item database's answer about one item's attribute (year, genres, director, cast, writer,
 * producer, music, rating), or a summary of all of them when no attribute is named. There is no plot text in the
 * data here (no DBpedia abstracts, no MovieLens plots): asked for a plot, it says so and gives the genres. Seed 000
 * uses no model here either ("the results are searched directly from the database").
 */
public final class ItemDetailExpert implements Expert {
    private final Environment env;

    public ItemDetailExpert(Environment env) {
        this.env = env;
    }

    /** Table 1's {@code item attribute} as a relation of the item database, or "year", "rating", "plot", or null. */
    public static String attribute(String text) {
        if (text == null) return null;
        String t = text.toLowerCase(Locale.ROOT);
        Map<String, String> cues = new LinkedHashMap<>();
        cues.put("\\bdirect(?:ed|or|ors|s)?\\b|导演", "director");
        cues.put("\\b(?:actors?|actress(?:es)?|cast|star(?:s|red|ring)?|who(?:'s| is| was) in)\\b|主演|演员", "starring");
        cues.put("\\b(?:writ(?:er|ten|es)|screenplay|script)\\b|编剧", "writer");
        cues.put("\\bproduc(?:er|ed)\\b|制片", "producer");
        cues.put("\\b(?:music|composer|soundtrack|score)\\b|配乐", "musicComposer");
        cues.put("\\b(?:year|when|released?|how old|come out|came out)\\b|哪年|年份|上映", "year");
        cues.put("\\b(?:genre|what kind of (?:movie|film) is)\\b|类型", "genre");
        cues.put("\\b(?:rating|rated|reviews?)\\b|评分", "rating");
        cues.put("\\b(?:plot|about|story|summary|synopsis)\\b|剧情|讲什么|讲的", "plot");
        for (var e : cues.entrySet()) if (java.util.regex.Pattern.compile(e.getKey()).matcher(t).find()) return e.getValue();
        return null;
    }

    @Override
    public ExpertOutput execute(ExpertRequest request) {
        if (env.db() == null) throw new ExpertException("item-database: no item database");
        List<String> notes = new ArrayList<>();
        String name = request.call().argument(SubTask.Args.ITEM_NAME);
        int item = ItemNames.resolve(name, env);
        if (item < 0 && name != null) return new ExpertOutput("No movie named \"" + name + "\" was found in the catalogue.", new int[0], notes);
        if (item < 0) item = request.context().lastItem();
        if (item < 0) return new ExpertOutput("No movie was named to look up.", new int[0], notes);
        final int found = item;
        ItemRecord r = env.db().item(item).orElseThrow(() -> new ExpertException("item-database: item " + found + " is not in the database (built from other data?)"));
        List<ItemFact> facts = env.db().facts(item);
        String asked = request.call().argument(SubTask.Args.ITEM_ATTRIBUTE);
        String attr = attribute(asked);
        if (asked != null && attr == null) notes.add("attribute \"" + asked + "\" is not one the database holds: all details given");
        String title = r.title();
        String answer = attr == null ? summary(r, facts) : switch (attr) {
            case "year" -> r.year() > 0 ? "released in " + r.year() + "." : "the release year is not known.";
            case "rating" -> Double.isNaN(r.meanRating()) ? "no MovieLens rating is known."
                    : String.format(Locale.ROOT, "rated %.1f/5 by %d MovieLens users.", r.meanRating(), r.ratings());
            case "plot" -> "the data holds no plot summaries; " + valuesOr(facts, "genre", "genres: ", "its genres are not known") + ".";
            default -> valuesOr(facts, attr, label(attr) + ": ", "no " + label(attr) + " is known") + ".";
        };
        return new ExpertOutput(title + ": " + answer, new int[] {item}, notes);
    }

    private static String summary(ItemRecord r, List<ItemFact> facts) {
        List<String> parts = new ArrayList<>();
        if (r.year() > 0) parts.add("year: " + r.year());
        for (String rel : List.of("genre", "director", "starring", "writer", "musicComposer")) {
            String v = values(facts, rel, rel.equals("starring") ? 4 : 3);
            if (!v.isEmpty()) parts.add(label(rel) + ": " + v);
        }
        if (!Double.isNaN(r.meanRating())) parts.add(String.format(Locale.ROOT, "MovieLens rating: %.1f/5 (%d ratings)", r.meanRating(), r.ratings()));
        return parts.isEmpty() ? "no details are known." : String.join("; ", parts) + ".";
    }

    private static String valuesOr(List<ItemFact> facts, String relation, String prefix, String none) {
        String v = values(facts, relation, 6);
        return v.isEmpty() ? none : prefix + v;
    }

    private static String values(List<ItemFact> facts, String relation, int max) {
        return String.join(", ", facts.stream().filter(f -> f.relation().equals(relation)).map(ItemFact::value).distinct().limit(max).toList());
    }

    private static String label(String relation) {
        return switch (relation) {
            case "genre" -> "genres";
            case "starring" -> "starring";
            case "musicComposer" -> "music";
            default -> relation;
        };
    }
}

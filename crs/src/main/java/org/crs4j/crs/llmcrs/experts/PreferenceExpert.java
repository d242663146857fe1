package org.crs4j.crs.llmcrs.experts;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.GenreWords;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.data.itemdb.Genres;
import org.crs4j.data.link.Mention;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedTurn;

/**
 * User preference elicitation: the genres, people, movies (and other entities, e.g. TG-ReDial's topics) the seeker
 * likes and dislikes, from the entity linker and negation cues, by clause.
 * <ul>
 *   <li>A seeker's clause (cut at . ! ? ; and at "but", "though", "however", "except") is negative when it holds a
 *   negation cue ("don't like", "not a fan", "hate", "boring", 不喜欢 ...), else positive; every entity linked in it
 *   takes that polarity. Movies the turn mentions that the linker did not find take the polarity of the clause that
 *   names them (positive when none does).
 *   <li>A recommender's movies take the polarity of the seeker's next turn when that turn names no entity itself and
 *   holds a cue ("I've seen it and loved it", "not interested").
 *   <li>The latest statement about an entity wins.
 * </ul>
 * The call's {@code category}, when given, is reported on its own: what is known about it, or that nothing is.
 */
public final class PreferenceExpert implements Expert {
    private static final Pattern CLAUSE = Pattern.compile("[.!?;。！？；]+|\\s(?:but|though|although|however|except|whereas)\\s|但是|不过");
    private static final Pattern NEGATIVE = Pattern.compile("(?i)\\b(?:don'?t|do not|didn'?t|did not|doesn'?t|does not|dont|didnt|not a (?:big )?fan|"
            + "not (?:really )?(?:into|my thing|for me|interested)|never (?:liked|cared)|hate[sd]?|dislike[sd]?|can'?t stand|cannot stand|"
            + "not big on|not much (?:of|for)|too (?:scary|slow|long|violent|sad|gory|cheesy)|boring|overrated|wasn'?t (?:good|great|a fan)|"
            + "not (?:good|great|that good)|avoid|no more|sick of|tired of|rather not|wouldn'?t)\\b|不喜欢|讨厌|不太喜欢|不感兴趣|不想看|不爱看|不好看|无聊");
    private static final Pattern POSITIVE = Pattern.compile("(?i)\\b(?:lov(?:e|ed|es)|lik(?:e|ed|es)|great|awesome|good|enjoy(?:ed)?|"
            + "favorite|favourite|fan of|sounds? (?:good|great|fun|interesting)|will (?:check|watch)|add it)\\b|喜欢|好看|不错|想看");

    private final Environment env;
    private final GenreWords genres;

    public PreferenceExpert(Environment env) {
        this.env = env;
        this.genres = GenreWords.of(env.db());
    }

    /**
     * What the seeker said about one entity or genre.
     *
     * @param entity the graph entity, or -1 for a genre word the graph has no entity for
     */
    public record Preference(int entity, String name, String kind, boolean liked) {}

    @Override
    public ExpertOutput execute(ExpertRequest request) {
        List<Preference> prefs = preferences(request.context());
        StringBuilder sb = new StringBuilder();
        appendSide(sb, "Likes", prefs, true);
        appendSide(sb, "Dislikes", prefs, false);
        if (sb.isEmpty()) sb.append("No preferences stated yet.");
        String category = request.call().argument(SubTask.Args.CATEGORY);
        if (category != null) {
            String c = category.toLowerCase(Locale.ROOT).strip();
            String g = Genres.normalize(category);
            List<String> about = new ArrayList<>();
            for (Preference p : prefs) {
                if (p.kind().startsWith(c.replaceAll("s$", "")) || p.name().toLowerCase(Locale.ROOT).equals(c) || p.name().equals(g))
                    about.add(p.name() + (p.liked() ? " (liked)" : " (disliked)"));
            }
            sb.append(about.isEmpty() ? " Nothing is known yet about " + category + "." : " About " + category + ": " + String.join(", ", about) + ".");
        }
        int[] items = prefs.stream().filter(p -> p.liked() && p.kind().equals("movies")).mapToInt(p -> env.itemOfEntity(p.entity())).toArray();
        return new ExpertOutput(sb.toString().strip(), items, List.of());
    }

    /** The preferences found in the dialogue, in order of the latest statement about each entity. */
    public List<Preference> preferences(Conversation c) {
        Map<Preference, Boolean> polarity = new LinkedHashMap<>(); // keys with liked = true; the value is the polarity
        List<PreparedTurn> turns = c.turns();
        for (int t = 0; t < turns.size(); t++) {
            PreparedTurn turn = turns.get(t);
            if (turn.role() == Role.SEEKER) seekerTurn(turn, polarity);
            else if (t + 1 < turns.size() && turns.get(t + 1).role() == Role.SEEKER && turn.items().length > 0) {
                PreparedTurn reply = turns.get(t + 1);
                String text = env.readable(reply.text());
                if (reply.entities().length > 0 || !env.link(text).isEmpty()) continue;
                Boolean p = NEGATIVE.matcher(text).find() ? Boolean.FALSE : POSITIVE.matcher(text).find() ? Boolean.TRUE : null;
                if (p != null) for (int item : turn.items()) {
                    int e = env.data().itemEntity()[item];
                    if (e >= 0) put(polarity, entity(e), p);
                }
            }
        }
        List<Preference> out = new ArrayList<>();
        polarity.forEach((p, liked) -> out.add(new Preference(p.entity(), p.name(), p.kind(), liked)));
        return out;
    }

    /** The preference key of a graph entity: genre entities under their canonical genre word. */
    private Preference entity(int e) {
        String kind = kind(e);
        return new Preference(e, kind.equals("genres") ? Genres.normalize(env.entityName(e)) : env.entityName(e), kind, true);
    }

    private void seekerTurn(PreparedTurn turn, Map<Preference, Boolean> polarity) {
        String text = env.readable(turn.text());
        Set<Integer> found = new HashSet<>();
        List<String> clauses = List.of(CLAUSE.split(text));
        for (String clause : clauses) {
            boolean liked = !NEGATIVE.matcher(clause).find();
            for (Mention m : env.link(clause)) {
                put(polarity, entity(m.entity()), liked);
                found.add(m.entity());
            }
            for (String g : genres.find(clause)) put(polarity, new Preference(-1, g, "genres", true), liked);
        }
        for (int item : turn.items()) {
            int e = env.data().itemEntity()[item];
            if (e < 0 || found.contains(e)) continue;
            String name = env.item(item).name().toLowerCase(Locale.ROOT);
            boolean liked = true;
            for (String clause : clauses) if (clause.toLowerCase(Locale.ROOT).contains(name)) { liked = !NEGATIVE.matcher(clause).find(); break; }
            put(polarity, entity(e), liked);
        }
        // entities the dataset annotates (INSPIRED, TG-ReDial topics) that the text does not spell as the linker knows them
        for (int e : turn.entities()) if (!found.contains(e)) polarity.putIfAbsent(entity(e), true);
    }

    /** Genre entities and genre words meet under one name, so "horror" is one preference however it was found. */
    private static void put(Map<Preference, Boolean> polarity, Preference p, boolean liked) {
        Preference key = p.kind().equals("genres") ? new Preference(-1, p.name(), "genres", true) : p;
        polarity.remove(key); // re-insert: the latest statement decides and orders
        polarity.put(key, liked);
    }

    /** movies, genres, people, or other. */
    String kind(int entity) {
        if (env.itemOfEntity(entity) >= 0) return "movies";
        String key = env.data().graph().entityKeys().get(entity);
        String name = org.crs4j.data.link.EntityNames.displayName(key);
        if (genres.isGenre(Genres.normalize(name)) && (key.endsWith("_film>") || key.endsWith("_films>") || genres.isGenre(name.toLowerCase(Locale.ROOT))))
            return "genres";
        if (env.db() != null) for (String r : env.db().relationsOfValue(key)) {
            if (FactPhrases.PEOPLE.contains(r)) return "people";
            if (r.equals("genre")) return "genres";
        }
        return "other";
    }

    private static void appendSide(StringBuilder sb, String label, List<Preference> prefs, boolean liked) {
        Map<String, List<String>> byKind = new LinkedHashMap<>();
        for (String k : List.of("genres", "people", "movies", "other")) byKind.put(k, new ArrayList<>());
        for (Preference p : prefs) if (p.liked() == liked) byKind.get(p.kind()).add(p.name());
        StringJoiner j = new StringJoiner("; ");
        byKind.forEach((k, names) -> { if (!names.isEmpty()) j.add(k + ": " + String.join(", ", names)); });
        if (j.length() == 0) return;
        if (!sb.isEmpty()) sb.append(' ');
        sb.append(label).append(" - ").append(j).append('.');
    }
}

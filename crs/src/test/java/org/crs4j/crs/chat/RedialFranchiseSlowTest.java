package org.crs4j.crs.chat;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.TurnResult;
import org.crs4j.crs.rec.TrainingListener;
import org.crs4j.data.cli.DataDirectory;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedTurn;
import org.crs4j.data.prepare.Progress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * On the trained ReDial model, the chat as a person uses it: three messages naming films of a franchise, each
 * answered (the answer joins the dialogue, as in the chat), then the last answer's top 10 checked for a film of the
 * franchise that the user did not name. The model: {@code -Dcrs4j.redialModel=DIR}, else the one {@code crs4j chat}
 * trains on first use into the crs4j cache; the data: {@code ../shared/data}.
 */
@Tag("slow")
class RedialFranchiseSlowTest {
    // Toy Story has no fourth film in ReDial's catalogue (2017), so only a film the user did not name counts as a hit
    record Franchise(String name, Pattern title, List<String> messages) {}

    static final List<Franchise> FRANCHISES = List.of(
            new Franchise("Star Wars", Pattern.compile("(?i)star wars|empire strikes|jedi|phantom menace|clones|sith|force awakens|rogue one"),
                    List.of("I loved Star Wars (1977)", "The Empire Strikes Back (1980) is even better", "and Return of the Jedi (1983). What else?")),
            new Franchise("Harry Potter", Pattern.compile("(?i)harry potter|fantastic beasts"),
                    List.of("I love Harry Potter and the Philosopher's Stone (2001)", "Harry Potter and the Chamber of Secrets (2002) was great too",
                            "And Harry Potter and the Prisoner of Azkaban (2004). More like these?")),
            new Franchise("The Lord of the Rings", Pattern.compile("(?i)lord of the rings|hobbit"),
                    List.of("I liked The Lord of the Rings: The Fellowship of the Ring (2001)", "The Lord of the Rings: The Two Towers (2002) too",
                            "and The Lord of the Rings: The Return of the King (2003)")),
            new Franchise("Toy Story", Pattern.compile("(?i)toy story"),
                    List.of("My kids loved Toy Story (1995)", "and Toy Story 2 (1999)", "Toy Story 3 (2010) made me cry")),
            new Franchise("Jurassic Park", Pattern.compile("(?i)jurassic"),
                    List.of("I loved Jurassic Park (1993)", "The Lost World: Jurassic Park (1997) was fine", "Jurassic Park III (2001) less so")),
            new Franchise("The Avengers", Pattern.compile("(?i)avengers|iron man|captain america|thor|guardians of the galaxy|spider-man|black panther|ant-man|doctor strange|hulk"),
                    List.of("I loved The Avengers (2012)", "Iron Man (2008) is my favorite", "and Captain America: The Winter Soldier (2014)")),
            new Franchise("The Dark Knight trilogy", Pattern.compile("(?i)batman|dark knight|joker"),
                    List.of("Batman Begins (2005) was great", "The Dark Knight (2008) is a masterpiece", "The Dark Knight Rises (2012) too")));

    private static ChatSetup.Assembled assemble() throws Exception {
        Path data = Path.of(System.getProperty("crs4j.shared", "../../shared"), "data");
        assumeTrue(Files.isDirectory(data.resolve("redial")), "no ReDial data at " + data);
        Path cache = DataDirectory.cache(null);
        Path model = Path.of(System.getProperty("crs4j.redialModel", ChatSetup.defaultModelDir(cache, "redial").toString()));
        assumeTrue(Files.isRegularFile(model.resolve("model.safetensors")), "no trained ReDial model at " + model
                + ": run ./crs4j chat once (it trains one there, about 90 minutes), or pass -Dcrs4j.redialModel=DIR");
        return ChatSetup.assemble(new ChatSetup.Options(model, null, null, true, data, cache), TrainingListener.NONE, Progress.NONE, n -> {});
    }

    /** The linker knows names, not years: a year written after a title picks the namesake of that year. */
    @Test
    void aYearAfterATitlePicksThatYearsNamesake() throws Exception {
        try (CrsSystem crs = assemble().system()) {
            Environment env = crs.environment();
            for (String title : List.of("Planet of the Apes (1968)", "Planet of the Apes (2001)")) {
                String text = "Recommended movies: " + title + "; Lone Survivor (2013)";
                int[] named = org.crs4j.crs.llmcrs.ItemNames.named(text, env);
                assertTrue(named.length > 0 && env.title(named[0]).equals(title), title + " -> " + (named.length == 0 ? "nothing" : env.title(named[0])));
                int[] items = env.turn(Role.RECOMMENDER, text).items();
                assertTrue(env.title(items[0]).equals(title), title + " -> " + env.title(items[0]));
            }
        }
    }

    @Test
    void aFilmOfTheFranchiseComesBackInTheTop10() throws Exception {
        var a = assemble();
        List<String> found = new ArrayList<>();
        try (CrsSystem crs = a.system()) {
            Environment env = crs.environment();
            for (Franchise f : FRANCHISES) {
                List<PreparedTurn> dialogue = new ArrayList<>();
                List<Integer> named = new ArrayList<>();
                TurnResult last = null;
                for (String m : f.messages()) {
                    var turn = NamedTitles.of(Role.SEEKER, m, env).turn();
                    for (int i : turn.items()) named.add(i);
                    dialogue.add(turn);
                    last = crs.turn(new Conversation(List.copyOf(dialogue)), null);
                    dialogue.add(env.turn(Role.RECOMMENDER, last.response()));
                }
                List<String> top = new ArrayList<>();
                String hit = null;
                for (int k = 0; k < Math.min(10, last.items().length); k++) {
                    int item = last.items()[k];
                    top.add(env.title(item));
                    if (hit == null && !named.contains(item) && f.title().matcher(env.title(item)).find()) hit = (k + 1) + ". " + env.title(item);
                }
                System.out.printf(Locale.ROOT, "%s: named %s; top 10 %s; franchise film not named: %s%n", f.name(),
                        named.stream().map(env::title).toList(), top, hit == null ? "none" : hit);
                if (hit != null) found.add(f.name());
            }
        }
        // measured on the ReDial model (full, seed 1, 8 epochs): 4 of the 7 (crs/README.md, "crs4j chat")
        assertTrue(found.size() >= 4, "an unnamed film of the franchise in the top 10 for only " + found + " of " + FRANCHISES.size()
                + " franchises (the test's output has each top 10)");
    }
}

package org.crs4j.crs.llmcrs.experts;

import static org.crs4j.crs.llmcrs.LlmcrsFixture.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.LlmcrsFixture;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.crs.llmcrs.SubTaskCall;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Split;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpertsTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    static Environment env;

    @BeforeAll
    static void prepare() { env = LlmcrsFixture.environment(data, cache); }

    @AfterAll
    static void close() { env.db().close(); }

    private static Conversation chat(String... seekerThenRecommender) {
        List<org.crs4j.data.prepare.PreparedTurn> turns = new java.util.ArrayList<>();
        for (int i = 0; i < seekerThenRecommender.length; i++) turns.add(env.turn(i % 2 == 0 ? Role.SEEKER : Role.RECOMMENDER, seekerThenRecommender[i]));
        return new Conversation(turns);
    }

    private static ExpertOutput run(String local, SubTask t, SubTaskCall call, Conversation c) {
        return LocalExperts.create(local, t, env).execute(new ExpertRequest(call, c));
    }

    @Test
    void recommendationFiltersByTheCategoryItKnowsAndSaysWhenItDoesNot() {
        var c = chat("I love Johnny Depp");
        var all = run("movielens-popularity", SubTask.RECOMMENDATION, SubTaskCall.of(SubTask.RECOMMENDATION), c);
        assertArrayEquals(new int[] {item(env, A), item(env, N), item(env, P), item(env, S), item(env, E)}, all.items(), "by MovieLens rating count");
        assertEquals("Recommended movies: Alien (1979); The Notebook (2004); Pirates of the Caribbean (2003); Sleepy Hollow (1999); Ed Wood (1994)", all.text());
        var scary = run("movielens-popularity", SubTask.RECOMMENDATION, SubTaskCall.of(SubTask.RECOMMENDATION, "category", "scary"), c);
        assertArrayEquals(new int[] {item(env, A), item(env, S)}, scary.items(), "'scary' is horror");
        var unknown = run("movielens-popularity", SubTask.RECOMMENDATION, SubTaskCall.of(SubTask.RECOMMENDATION, "category", "anime"), c);
        assertEquals(5, unknown.items().length);
        assertEquals(List.of("category \"anime\" is no genre the item database knows: the list is not filtered"), unknown.notes());
    }

    @Test
    void preferencesTakeTheClausePolarityAndTheLatestStatement() {
        var c = chat("I love Johnny Depp and comedies, but I hate horror", "Have you seen Alien?", "No, not interested.", "How about Ed Wood?",
                "I don't like Ryan Gosling.");
        var prefs = new PreferenceExpert(env).preferences(c);
        Map<String, Boolean> got = new java.util.LinkedHashMap<>();
        Map<String, String> kinds = new java.util.HashMap<>();
        for (var p : prefs) { got.put(p.name(), p.liked()); kinds.put(p.name(), p.kind()); }
        assertEquals(Boolean.TRUE, got.get("Johnny Depp"));
        assertEquals(Boolean.FALSE, got.get("horror"), got.toString());
        assertEquals(Boolean.FALSE, got.get("Alien (1979)"), "the recommender's movie takes the seeker's reply");
        assertEquals(Boolean.FALSE, got.get("Ryan Gosling"));
        assertFalse(got.containsKey("Ed Wood (1994)"), "no reply to it yet");
        assertEquals("people", kinds.get("Johnny Depp"));
        assertEquals("genres", kinds.get("horror"));
        assertEquals("movies", kinds.get("Alien (1979)"));
        var out = run("preference-elicitation", SubTask.PREFERENCE_ELICITATION, SubTaskCall.of(SubTask.PREFERENCE_ELICITATION, "category", "romance"), c);
        assertEquals("Likes - genres: comedy; people: Johnny Depp. Dislikes - genres: horror; people: Ryan Gosling; movies: Alien (1979). Nothing is known yet about romance.", out.text());
    }

    @Test
    void explanationsFollowOneAndTwoHopPaths() {
        var c = chat("I loved Ed Wood with Johnny Depp, and I want something scary");
        var out = run("kg-explanation", SubTask.EXPLANATION, SubTaskCall.of(SubTask.EXPLANATION, "item name", "Sleepy Hollow"), c);
        assertEquals("Why Sleepy Hollow (1999): it stars Johnny Depp, whom you mentioned; like Ed Wood (1994), which you mentioned, "
                + "it is directed by Tim Burton; it is a horror film, which you like.", out.text());
        var dislikes = run("kg-explanation", SubTask.EXPLANATION, SubTaskCall.of(SubTask.EXPLANATION, "item name", "Sleepy Hollow"),
                chat("I can't stand Johnny Depp and I hate horror, but I loved Ed Wood"));
        assertEquals("Why Sleepy Hollow (1999): like Ed Wood (1994), which you mentioned, it is directed by Tim Burton.", dislikes.text(),
                "what the seeker dislikes is no reason");
        assertArrayEquals(new int[] {item(env, S)}, out.items());
        var none = run("kg-explanation", SubTask.EXPLANATION, SubTaskCall.of(SubTask.EXPLANATION, "item name", "The Notebook"), chat("Hello"));
        assertEquals("The Notebook (2004): no knowledge-graph path to what was mentioned was found; it is a drama, romance film.", none.text());
        var last = run("kg-explanation", SubTask.EXPLANATION, SubTaskCall.of(SubTask.EXPLANATION, "item name", "Nosferatu"), c);
        assertTrue(last.text().startsWith("Why Ed Wood (1994)"), "an unknown name explains the dialogue's last item: " + last.text());
        assertEquals(List.of("no item named \"Nosferatu\": explaining the last item of the dialogue"), last.notes());
    }

    @Test
    void detailSearchAnswersTheAttributeAsked() {
        var c = chat("Tell me about Ed Wood");
        assertEquals("Ed Wood (1994): director: Tim Burton.", run("item-database", SubTask.ITEM_DETAIL_SEARCH,
                new SubTaskCall(SubTask.ITEM_DETAIL_SEARCH, Map.of("item name", "ed wood", "item attribute", "who directed it")), c).text());
        assertEquals("Sleepy Hollow (1999): released in 1999.", run("item-database", SubTask.ITEM_DETAIL_SEARCH,
                new SubTaskCall(SubTask.ITEM_DETAIL_SEARCH, Map.of("item name", "Sleepy Hollow (1999)", "item attribute", "year")), c).text());
        assertEquals("Ed Wood (1994): rated 4.0/5 by 1 MovieLens users.", run("item-database", SubTask.ITEM_DETAIL_SEARCH,
                new SubTaskCall(SubTask.ITEM_DETAIL_SEARCH, Map.of("item attribute", "rating")), c).text(), "no name: the dialogue's last item");
        assertEquals("Alien (1979): the data holds no plot summaries; genres: horror, science fiction.", run("item-database", SubTask.ITEM_DETAIL_SEARCH,
                new SubTaskCall(SubTask.ITEM_DETAIL_SEARCH, Map.of("item name", "Alien", "item attribute", "plot")), c).text());
        assertEquals("Sleepy Hollow (1999): year: 1999; genres: fantasy, horror, mystery; director: Tim Burton; starring: Johnny Depp; "
                + "MovieLens rating: 4.0/5 (2 ratings).", run("item-database", SubTask.ITEM_DETAIL_SEARCH,
                SubTaskCall.of(SubTask.ITEM_DETAIL_SEARCH, "item name", "Sleepy Hollow"), c).text());
        assertEquals("No movie named \"Robert'); DROP TABLE item;--\" was found in the catalogue.", run("item-database", SubTask.ITEM_DETAIL_SEARCH,
                SubTaskCall.of(SubTask.ITEM_DETAIL_SEARCH, "item name", "Robert'); DROP TABLE item;--"), c).text());
        assertEquals("Alien (1979): year: 1979; genres: horror, science fiction; MovieLens rating: 4.0/5 (5 ratings).", run("item-database",
                SubTask.ITEM_DETAIL_SEARCH, SubTaskCall.of(SubTask.ITEM_DETAIL_SEARCH, "item name", "alien"), c).text(), "the table survived");
    }

    @Test
    void itemNamesResolveExactlyThenByTheFuzzyTitleRule() {
        assertEquals(item(env, N), org.crs4j.crs.llmcrs.ItemNames.resolve("Notebook, The (2004)", env));
        assertEquals(item(env, P), org.crs4j.crs.llmcrs.ItemNames.resolve("pirates of the caribbean", env));
        assertEquals(item(env, S), org.crs4j.crs.llmcrs.ItemNames.resolve("I mean Sleepy Hollow", env), "a title inside the text, by the linker");
        assertEquals(-1, org.crs4j.crs.llmcrs.ItemNames.resolve("", env));
    }

    @Test
    void aReplyNamesATitleOnlyWhereItIsWrittenAsOne() {
        int notebook = item(env, N), sleepy = item(env, S);
        assertArrayEquals(new int[] {notebook, sleepy}, org.crs4j.crs.llmcrs.ItemNames.named("You could try The Notebook, or maybe Sleepy Hollow tonight.", env),
                env.link("You could try The Notebook, or maybe Sleepy Hollow tonight.").toString());
        assertArrayEquals(new int[] {sleepy}, org.crs4j.crs.llmcrs.ItemNames.named("try \"sleepy hollow\" tonight", env), "quoted");
        assertArrayEquals(new int[0], org.crs4j.crs.llmcrs.ItemNames.named("I wrote it in the notebook by the sleepy hollow tree", env));
    }

    @Test
    void datasetTurnsUseThePreparedItems() {
        var d = LlmcrsFixture.dialogue(env, Split.TEST, 0);
        var out = run("kg-explanation", SubTask.EXPLANATION, SubTaskCall.of(SubTask.EXPLANATION), new Conversation(d.turns().subList(0, 3)));
        assertTrue(out.text().startsWith("Why Sleepy Hollow (1999): "), out.text());
    }
}

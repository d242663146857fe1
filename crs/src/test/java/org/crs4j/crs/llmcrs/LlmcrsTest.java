package org.crs4j.crs.llmcrs;

import static org.crs4j.crs.llmcrs.LlmcrsFixture.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.RegistrySource;
import org.crs4j.data.model.Split;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmcrsTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    static Environment env;

    @BeforeAll
    static void prepare() { env = LlmcrsFixture.environment(data, cache); }

    @AfterAll
    static void close() { env.db().close(); }

    private static Llmcrs llmcrs(ScriptedLlm llm) {
        LlmcrsSettings s = LlmcrsSettings.defaults();
        return new Llmcrs(llm, env, RegistrySource.fixed(ExpertRegistry.shipped(env)), PromptSet.defaults(), LlmcrsSetup.demonstrations(env, s), s);
    }

    /** The test dialogue up to (not including) its second recommender turn. */
    private static Conversation context() {
        var d = dialogue(env, Split.TEST, 0);
        return new Conversation(d.id(), d.turns().subList(0, 1));
    }

    @Test
    void aTurnRunsTheFourStagesAndTracesEachCall() {
        var llm = new ScriptedLlm().answer("detection", "Recommendation(category=horror) -> Item")
                .answer("matching", "I pick movielens-popularity.").answer("response", "You will love Sleepy Hollow!");
        StringBuilder streamed = new StringBuilder();
        TurnResult r = llmcrs(llm).turn(context(), TurnOptions.greedy().withStream(streamed::append));
        assertEquals(List.of("detection", "matching", "response"), llm.stages());
        var t = r.trace();
        assertEquals(SubTask.RECOMMENDATION, t.subTask().task());
        assertEquals("horror", t.subTask().argument("category"));
        assertEquals("llm", t.detectedBy());
        assertEquals("movielens-popularity", t.expertId());
        assertEquals("llm", t.matchedBy());
        assertEquals(List.of(), t.fallbacks());
        assertEquals("You will love Sleepy Hollow!", r.response());
        assertEquals(r.response(), streamed.toString(), "the response streamed");
        // horror filter, MovieLens rating counts: Alien 5, Sleepy Hollow 2; the named film first
        int sleepy = item(env, S), alien = item(env, A);
        assertArrayEquals(new int[] {sleepy}, r.namedItems());
        assertArrayEquals(new int[] {sleepy, alien}, r.items());
        assertEquals(3, t.calls().size());
        var detection = t.call(Stage.DETECTION).orElseThrow();
        assertTrue(detection.request().prompt().contains("User: I liked Pirates of the Caribbean, but I hate horror"), detection.request().prompt());
        assertTrue(detection.request().prompt().contains("Case 1: the dialogue context is"), "demonstrations");
        assertTrue(detection.request().prompt().contains("Recommendation(category, dialogue context) -> Item"), "schema");
        var matching = t.call(Stage.MATCHING).orElseThrow();
        assertTrue(matching.request().prompt().contains("[popularity, recommends the movies most often recommended"), matching.request().prompt());
        assertTrue(matching.request().prompt().contains("[movielens-popularity, "));
        var response = t.call(Stage.RESPONSE).orElseThrow();
        assertTrue(response.request().prompt().contains("Sub-Task Name: Recommendation(category=horror) -> Item"), response.request().prompt());
        assertTrue(response.request().prompt().contains("Sub-Task Output: Recommended horror movies: Alien (1979); Sleepy Hollow (1999)"), response.request().prompt());
    }

    @Test
    void whatTheLlmGeneratesChangesWhatTheTurnRecommends() {
        int notebook = item(env, N), alien = item(env, A);
        var horror = llmcrs(new ScriptedLlm().answer("detection", "Recommendation(category=horror) -> Item")
                .answer("matching", "movielens-popularity").answer("response", "Here you go.")).turn(context(), TurnOptions.greedy());
        var romance = llmcrs(new ScriptedLlm().answer("detection", "Recommendation(category=romance) -> Item")
                .answer("matching", "movielens-popularity").answer("response", "Here you go.")).turn(context(), TurnOptions.greedy());
        var elicit = llmcrs(new ScriptedLlm().answer("detection", "User Preference Elicitation(category=genre) -> Text")
                .answer("response", "What else do you like?")).turn(context(), TurnOptions.greedy());
        var naming = llmcrs(new ScriptedLlm().answer("detection", "Recommendation() -> Item")
                .answer("matching", "movielens-popularity").answer("response", "Try The Notebook.")).turn(context(), TurnOptions.greedy());
        assertEquals(alien, horror.items()[0], "the category argument filters the expert's list");
        assertEquals(notebook, romance.items()[0]);
        assertEquals(1, romance.items().length, "only The Notebook is romance");
        assertEquals(0, elicit.items().length, "no recommendation sub-task, no item named: nothing recommended");
        assertEquals(notebook, naming.items()[0], "the item the response names comes first");
        assertEquals(alien, naming.items()[1]);
        assertEquals(5, naming.items().length);
    }

    @Test
    void everyFailureTakesAStatedCountedFallbackAndNeverThrows() {
        var llm = new ScriptedLlm().answer("detection", "I think the user wants to chat.").answer("matching", "expert number 7")
                .answer("response", "");
        Llmcrs p = llmcrs(llm);
        TurnResult r = p.turn(context(), TurnOptions.greedy());
        var kinds = r.trace().fallbacks().stream().map(Fallback::kind).toList();
        assertEquals(List.of(Fallback.Kind.DETECTION_UNPARSED, Fallback.Kind.MATCHING_UNKNOWN_ID, Fallback.Kind.RESPONSE_EMPTY), kinds);
        assertEquals(SubTask.RECOMMENDATION, r.trace().subTask().task(), "the stated detection fallback");
        assertEquals("popularity", r.trace().expertId(), "the first registered candidate");
        assertEquals(r.trace().expertOutput().text(), r.response(), "the expert's output stands in for an empty response");

        var down = new ScriptedLlm().fail("detection").fail("matching").fail("response");
        TurnResult d = p.turn(context(), TurnOptions.greedy());
        TurnResult e = new Llmcrs(down, env, RegistrySource.fixed(ExpertRegistry.shipped(env)), PromptSet.defaults(), Demonstrations.none(),
                LlmcrsSettings.defaults()).turn(context(), TurnOptions.greedy());
        assertEquals(List.of(Fallback.Kind.DETECTION_LLM_FAILED, Fallback.Kind.MATCHING_LLM_FAILED, Fallback.Kind.RESPONSE_LLM_FAILED),
                e.trace().fallbacks().stream().map(Fallback::kind).toList());
        assertTrue(e.trace().calls().stream().allMatch(LlmCall::failed));
        assertTrue(e.trace().fallbacks().getFirst().detail().contains("scripted: detection is down"));
        assertTrue(e.items().length > 0, "the fallback sub-task still recommends");
        assertEquals(2, p.statistics().turns());
        assertEquals(2, p.statistics().fallbacks(Fallback.Kind.DETECTION_UNPARSED));
        assertNotNull(d);
    }

    @Test
    void ablationsChangeOnlyWhereTheyDiffer() {
        var llm = new ScriptedLlm().answer("detection", "Item Detail Search(item name=Ed Wood; item attribute=director) -> Text")
                .answer("matching", "item-database").answer("response", "Tim Burton.");
        Llmcrs p = llmcrs(llm);
        p.turn(context(), TurnOptions.greedy().withAblations(Set.of(Ablation.NO_SCHEMA, Ablation.NO_DEMONSTRATIONS, Ablation.NO_SUMMARY)));
        String detection = llm.requests.get(0).prompt(), response = llm.requests.getLast().prompt();
        assertFalse(detection.contains("schema"), detection);
        assertFalse(detection.contains("Case 1"), detection);
        assertTrue(detection.contains("The sub-task MUST be selected from the above list."), detection);
        assertTrue(detection.contains("User: I liked Pirates"), "the context stays");
        assertFalse(response.contains("Sub-Task Name"), response);
        assertTrue(response.contains("The sub-task results are: Ed Wood (1994): director: Tim Burton."), response);
        assertEquals(List.of("detection", "response"), llm.stages(), "one item-detail expert: no matching call");

        var m = new ScriptedLlm().answer("response", "Alien!");
        TurnResult r = llmcrs(m).turn(context(), TurnOptions.greedy().withAblations(Set.of(Ablation.NO_MANAGEMENT)));
        assertEquals(List.of("response"), m.stages(), "w/o M: no detection, no matching");
        assertEquals("w/o-M", r.trace().detectedBy());
        assertEquals("popularity", r.trace().expertId(), "the first registered recommendation expert");
        assertTrue(r.items().length > 1);
    }

    @Test
    void withoutExpertsTheLlmRecommendsFromTheCandidatesMostLikeTheDialogue() {
        int alien = item(env, A);
        var llm = new ScriptedLlm().answer("detection", "Recommendation() -> Item").answer("recommend", "Alien (1979)").answer("response", "Try Alien.");
        TurnResult r = llmcrs(llm).turn(context(), TurnOptions.greedy().withAblations(Set.of(Ablation.NO_EXPERTS)));
        assertEquals(List.of("detection", "recommend", "response"), llm.stages(), "no matching call, no expert");
        assertNull(r.trace().expertId());
        assertEquals(List.of(), r.trace().fallbacks());
        String recommend = r.trace().call(Stage.RECOMMEND).orElseThrow().request().prompt();
        assertTrue(recommend.contains("User: I liked Pirates of the Caribbean, but I hate horror"), recommend);
        // the context names Pirates of the Caribbean: it shares the most words with the dialogue
        assertTrue(recommend.contains("candidate items, with their similarity to the dialogue, are: Pirates of the Caribbean (2003) (0."), recommend);
        var pool = LexicalCandidates.of(env).top(context(), 50);
        assertEquals(alien, r.items()[0], "the item the LLM names first");
        int[] rest = java.util.Arrays.copyOfRange(r.items(), 1, r.items().length);
        assertArrayEquals(pool.stream().mapToInt(LexicalCandidates.Scored::item).filter(i -> i != alien).toArray(), rest, "then the candidates by similarity");
        String response = r.trace().call(Stage.RESPONSE).orElseThrow().request().prompt();
        assertTrue(response.contains("Expert Model: none, and Sub-Task Output: Recommended movies: Alien (1979)"), response);

        var silent = new ScriptedLlm().answer("detection", "Recommendation() -> Item").answer("recommend", "something good").answer("response", "ok");
        TurnResult s = llmcrs(silent).turn(context(), TurnOptions.greedy().withAblations(Set.of(Ablation.NO_EXPERTS)));
        assertEquals(Fallback.Kind.RECOMMEND_NO_ITEM, s.trace().fallbacks().getFirst().kind());
        assertEquals(pool.getFirst().item(), s.items()[0], "no item named: the most similar candidate first");

        var elicit = new ScriptedLlm().answer("detection", "User Preference Elicitation() -> Text").answer("response", "What do you like?");
        TurnResult e = llmcrs(elicit).turn(context(), TurnOptions.greedy().withAblations(Set.of(Ablation.NO_EXPERTS)));
        assertEquals(List.of("detection", "response"), elicit.stages());
        assertNull(e.trace().expertOutput(), "the other sub-tasks are answered from the dialogue alone");
        assertTrue(elicit.requests.getLast().prompt().contains("Sub-Task Output: (no expert output)"), elicit.requests.getLast().prompt());
        assertEquals(0, e.items().length);
    }

    @Test
    void theRegistryFileIsReadAgainWhenItChangesAndABrokenEditKeepsTheOldOne() throws Exception {
        Path file = data.resolve("experts.json");
        String shipped = new String(ExpertRegistry.class.getResourceAsStream(ExpertRegistry.SHIPPED).readAllBytes());
        String onlyPopularity = shipped.replaceFirst("(?s),\\s*\\{\\s*\"id\": \"movielens-popularity\".*?\"endpoint\": \"local:movielens-popularity\"\\s*}", "");
        Files.writeString(file, onlyPopularity);
        var llm = new ScriptedLlm().answer("detection", "Recommendation() -> Item").answer("matching", "movielens-popularity").answer("response", "ok");
        LlmcrsSettings s = LlmcrsSettings.defaults();
        Llmcrs p = new Llmcrs(llm, env, RegistrySource.watching(file, env, false), PromptSet.defaults(), Demonstrations.none(), s);
        assertEquals("only candidate", p.turn(context(), TurnOptions.greedy()).trace().matchedBy());
        Files.writeString(file, shipped);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        var second = p.turn(context(), TurnOptions.greedy());
        assertEquals("movielens-popularity", second.trace().expertId(), "the added expert is matched at the next turn");
        Files.writeString(file, shipped.replace("\"id\": \"popularity\"", "\"id\": \"kg-explanation\""));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 10000));
        var third = p.turn(context(), TurnOptions.greedy());
        assertEquals(Fallback.Kind.REGISTRY_RELOAD_FAILED, third.trace().fallbacks().getFirst().kind());
        assertTrue(third.trace().fallbacks().getFirst().detail().contains("duplicate id \"kg-explanation\""), third.trace().fallbacks().getFirst().detail());
        assertEquals("movielens-popularity", third.trace().expertId(), "the previous registry is kept");
    }

    @Test
    void anExpertThatFailsAtRunTimeHandsOverToTheNextOfItsSubTask() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) { port = socket.getLocalPort(); } // closed: nothing answers there
        Path file = data.resolve("with-remote.json");
        String shipped = new String(ExpertRegistry.class.getResourceAsStream(ExpertRegistry.SHIPPED).readAllBytes());
        Files.writeString(file, shipped.replaceFirst("\\{\\s*\"experts\": \\[", "{\"experts\": [{\"id\": \"remote-rec\", \"subtask\": \"recommendation\", "
                + "\"description\": {\"function\": \"f\", \"architecture\": \"a\", \"domain\": \"d\", \"licence\": \"l\"}, "
                + "\"endpoint\": \"http://127.0.0.1:" + port + "/expert\", \"timeout_seconds\": 2},"));
        var llm = new ScriptedLlm().answer("detection", "Recommendation(category=horror)").answer("matching", "remote-rec").answer("response", "ok");
        LlmcrsSettings s = LlmcrsSettings.defaults();
        Llmcrs p = new Llmcrs(llm, env, RegistrySource.fixed(ExpertRegistry.load(file, env, false)), PromptSet.defaults(), Demonstrations.none(), s);
        TurnResult r = p.turn(context(), TurnOptions.greedy());
        assertEquals(1, r.trace().fallbacks().size());
        var f = r.trace().fallbacks().getFirst();
        assertEquals(Fallback.Kind.EXPERT_FAILED, f.kind());
        assertTrue(f.detail().startsWith("remote-rec: http://127.0.0.1:" + port + "/expert: unreachable"), f.detail());
        assertEquals("popularity", r.trace().expertId(), "the next recommendation expert in registry order");
        assertEquals("fallback", r.trace().matchedBy());
        assertArrayEquals(new int[] {item(env, S), item(env, A)}, r.items(), "the horror films; never recommended in training: ties to the lower entity id");
        assertEquals(1, p.statistics().fallbacks(Fallback.Kind.EXPERT_FAILED));
    }

    @Test
    void oneInstanceServesConcurrentTurns() throws Exception {
        var llm = new ScriptedLlm().answer("detection", p -> p.substring(p.lastIndexOf("The dialogue context is")).contains("romance")
                ? "Recommendation(category=romance)" : "Recommendation(category=horror)")
                .answer("matching", "movielens-popularity").answer("response", "Here.");
        Llmcrs p = llmcrs(llm);
        var romance = new Conversation(List.of(env.turn(org.crs4j.data.model.Role.SEEKER, "Any romance?")));
        var horror = new Conversation(List.of(env.turn(org.crs4j.data.model.Role.SEEKER, "Something scary")));
        List<java.util.concurrent.Future<TurnResult>> futures = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 24; i++) {
                Conversation c = i % 2 == 0 ? romance : horror;
                futures.add(pool.submit(() -> p.turn(c, TurnOptions.greedy())));
            }
            for (int i = 0; i < futures.size(); i++) {
                TurnResult r = futures.get(i).get();
                assertEquals(i % 2 == 0 ? item(env, N) : item(env, A), r.items()[0], "turn " + i);
                assertEquals(List.of(), r.trace().fallbacks());
            }
        }
        assertEquals(24, p.statistics().turns());
        assertEquals(Map.of("recommendation", 24L), p.statistics().subTasks());
    }

    @Test
    void turnJsonCarriesEveryStage() {
        var llm = new ScriptedLlm().answer("detection", "Explanation(item name=Sleepy Hollow) -> Text").answer("response", "Because Johnny Depp.");
        TurnResult r = llmcrs(llm).turn(context(), TurnOptions.greedy());
        var json = TurnJson.of(r, env, 10);
        assertEquals("Because Johnny Depp.", json.get("response").asText());
        assertEquals("explanation", json.at("/trace/subtask/id").asText());
        assertEquals("Sleepy Hollow", json.at("/trace/subtask/arguments/item name").asText());
        assertEquals("kg-explanation", json.at("/trace/expert/id").asText());
        assertEquals(2, json.at("/trace/calls").size());
        assertEquals("detection", json.at("/trace/calls/0/stage").asText());
        assertEquals(0.0, json.at("/trace/calls/0/sampling/temperature").asDouble());
        List<String> fallbacks = new ArrayList<>();
        json.at("/trace/fallbacks").forEach(f -> fallbacks.add(f.get("kind").asText()));
        assertEquals(List.of(), fallbacks);
    }
}

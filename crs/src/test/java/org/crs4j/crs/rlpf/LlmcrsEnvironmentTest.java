package org.crs4j.crs.rlpf;

import static org.crs4j.crs.llmcrs.LlmcrsFixture.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmException;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.crs.llmcrs.Ablation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.Fallback;
import org.crs4j.crs.llmcrs.LlmcrsFixture;
import org.crs4j.crs.llmcrs.LlmcrsSettings;
import org.crs4j.crs.llmcrs.LlmcrsSetup;
import org.crs4j.crs.llmcrs.PromptSet;
import org.crs4j.crs.llmcrs.TurnOptions;
import org.crs4j.crs.llmcrs.TurnSample;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.RegistrySource;
import org.crs4j.crs.rec.Recommender;
import org.crs4j.data.model.Split;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LLMCRS as RLPF's environment on the tiny INSPIRED-form fixture: what an episode earns moves with every text the
 * controller writes (sub-task, category, expert, named items, response), unreadable text earns 0 and is counted, and a
 * step's episodes played in lock step give what playing them one by one gives.
 */
class LlmcrsEnvironmentTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    @TempDir static Path dir;
    static Environment env;
    static ExpertRegistry registry;

    /** Scores only Alien: an expert whose list cannot hold any other target. */
    record OnlyAlien(Environment env) implements Recommender {
        @Override public String name() { return "only-alien"; }

        @Override public float[] scores(int[] context) {
            float[] s = new float[env.data().graph().entityCount()];
            Arrays.fill(s, Float.NEGATIVE_INFINITY);
            s[env.data().itemEntity()[item(env, A)]] = 1;
            return s;
        }
    }

    @BeforeAll
    static void prepare() throws Exception {
        Environment base = LlmcrsFixture.environment(data, cache);
        env = base.withRecommender(new OnlyAlien(base));
        String shipped = new String(ExpertRegistry.class.getResourceAsStream(ExpertRegistry.SHIPPED).readAllBytes());
        String extra = "{\"id\": \"only-alien\", \"subtask\": \"recommendation\", \"description\": {\"function\": \"recommends Alien\", "
                + "\"architecture\": \"a constant\", \"domain\": \"movies\", \"licence\": \"test\"}, \"endpoint\": \"local:only-alien\"},";
        Path file = dir.resolve("experts.json");
        Files.writeString(file, shipped.replaceFirst("\"experts\"\\s*:\\s*\\[", "\"experts\": [" + java.util.regex.Matcher.quoteReplacement(extra)));
        registry = ExpertRegistry.load(file, env, false);
    }

    @AfterAll
    static void close() { env.db().close(); }

    static LlmcrsEnvironment environment(Set<Ablation> ablations) {
        LlmcrsSettings s = LlmcrsSettings.defaults();
        return new LlmcrsEnvironment("fixture train", env, RegistrySource.fixed(registry), PromptSet.defaults(), LlmcrsSetup.demonstrations(env, s), s,
                TurnOptions.greedy().withAblations(ablations), TurnSample.of(env, Split.TRAIN));
    }

    /** Answers by stage with a function of the prompt. */
    record Scripted(Map<String, Function<String, String>> answers) implements Llm {
        static Scripted of(String detection, String matching, String response) {
            return new Scripted(Map.of("detection", p -> detection, "matching", p -> matching, "response", p -> response));
        }

        @Override public String endpoint() { return "scripted"; }

        @Override public LlmResponse complete(LlmRequest r) {
            var f = answers.get(r.stage());
            if (f == null) throw new LlmException("scripted: no answer for " + r.stage());
            String text = f.apply(r.prompt());
            return LlmResponse.text(text, 1, 1, 1);
        }
    }

    /** The case whose target is The Notebook (first named by the recommender in the second training dialogue). */
    static int notebookCase(LlmcrsEnvironment e) {
        int notebook = env.data().itemEntity()[item(env, N)];
        for (int i = 0; i < e.size(); i++) if (e.sample(i).targetEntities()[0] == notebook && e.sample(i).turn() == 1) return i;
        throw new AssertionError("no Notebook case");
    }

    @Test
    void casesAreTheRecommenderTurnsOfTheRecommendationProtocol() {
        LlmcrsEnvironment e = environment(Set.of());
        var samples = TurnSample.of(env, Split.TRAIN);
        int protocol = (int) env.data().split(Split.TRAIN).recommendations().stream().map(r -> r.dialogue() + "/" + r.turn()).distinct().count();
        assertEquals(protocol, e.size());
        assertTrue(e.size() >= 2, "the fixture has recommender turns naming items");
        for (TurnSample s : samples) {
            assertEquals(org.crs4j.data.model.Role.RECOMMENDER, s.truth().role());
            assertEquals(s.turn(), s.context().turns().size(), "the context is the dialogue before the turn");
            assertTrue(s.targetEntities().length > 0);
        }
        assertTrue(e.describe().contains("HIT@10") && e.describe().contains("BLEU-1"), e.describe());
    }

    @Test
    void hitDependsOnTheSubTaskTheCategoryTheExpertAndTheNamedItems() {
        LlmcrsEnvironment e = environment(Set.of());
        int c = notebookCase(e);
        // Recommendation, romance: popularity filtered to romance lists The Notebook
        assertEquals(1.0, e.play(c, Scripted.of("Recommendation(category=romance) -> Item", "popularity", "Here you go.")).hit());
        // the category: horror filters The Notebook out
        assertEquals(0.0, e.play(c, Scripted.of("Recommendation(category=horror) -> Item", "popularity", "Here you go.")).hit());
        // the expert: only-alien cannot list it, popularity can
        assertEquals(0.0, e.play(c, Scripted.of("Recommendation() -> Item", "only-alien", "Here you go.")).hit());
        assertEquals(1.0, e.play(c, Scripted.of("Recommendation() -> Item", "movielens-popularity", "Here you go.")).hit());
        // the sub-task: elicitation recommends only what the response names
        assertEquals(0.0, e.play(c, Scripted.of("User Preference Elicitation() -> Text", "", "What do you like?")).hit());
        Outcome named = e.play(c, Scripted.of("User Preference Elicitation() -> Text", "", "Try The Notebook"));
        assertEquals(1.0, named.hit(), "the item the response names is recommended");
        assertEquals(1.0, named.bleu(), 1e-12, "the ground truth is \"Try The Notebook\": BLEU-1 of the same words, case-insensitive");
        assertTrue(named.parsed());
        // the named item also beats an expert that cannot list it
        assertEquals(1.0, e.play(c, Scripted.of("Recommendation() -> Item", "only-alien", "Try The Notebook")).hit());
    }

    @Test
    void bleuIsCrslabBleu1OfTheResponseAgainstTheGroundTruth() {
        LlmcrsEnvironment e = environment(Set.of());
        int c = notebookCase(e);
        Outcome o = e.play(c, Scripted.of("Recommendation() -> Item", "popularity", "maybe try a notebook"));
        // hypothesis tokens: maybe try a notebook (4); reference: try the notebook (3); clipped unigram matches: try, notebook = 2
        // BLEU-1 = 2/4, brevity penalty 1 (hypothesis longer)
        assertEquals(0.5, o.bleu(), 1e-12);
        assertEquals(TurnSample.bleu("maybe try a notebook", "Try The Notebook", 1), o.bleu(), 0);
    }

    @Test
    void textThatDoesNotParseEarnsZeroAndIsCounted() {
        LlmcrsEnvironment e = environment(Set.of());
        int c = notebookCase(e);
        Outcome chat = e.play(c, Scripted.of("let us chat about the weather", "popularity", "Try The Notebook"));
        assertFalse(chat.parsed());
        assertEquals(0, new Reward(0.5).of(chat, "test"), "reward 0 although the response names the target");
        Outcome noId = e.play(c, Scripted.of("Recommendation() -> Item", "expert number 7", "Try The Notebook"));
        assertFalse(noId.parsed());
        Outcome empty = e.play(c, Scripted.of("Recommendation() -> Item", "popularity", "   "));
        assertFalse(empty.parsed());
        Outcome down = e.play(c, new Scripted(Map.of()));
        assertFalse(down.parsed(), "a call the policy cannot answer is no exception");
        var counts = e.unparsedCounts();
        assertEquals(1L, counts.get(Fallback.Kind.DETECTION_UNPARSED));
        assertEquals(1L, counts.get(Fallback.Kind.MATCHING_UNKNOWN_ID));
        assertEquals(1L, counts.get(Fallback.Kind.RESPONSE_EMPTY));
        assertEquals(1L, counts.get(Fallback.Kind.DETECTION_LLM_FAILED));
    }

    @Test
    void withoutManagementOnlyTheResponseIsAsked() {
        LlmcrsEnvironment e = environment(Set.of(Ablation.NO_MANAGEMENT));
        List<String> stages = new ArrayList<>();
        Llm llm = new Llm() {
            @Override public String endpoint() { return "recording"; }
            @Override public LlmResponse complete(LlmRequest r) {
                stages.add(r.stage());
                return LlmResponse.text("Try The Notebook", 1, 1, 1);
            }
        };
        Outcome o = e.play(notebookCase(e), llm);
        assertEquals(List.of("response"), stages);
        assertEquals(1.0, o.hit());
    }
}

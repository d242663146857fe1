package org.crs4j.crs.controller;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.crs4j.crs.llmcrs.Ablation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.Llmcrs;
import org.crs4j.crs.llmcrs.LlmcrsFixture;
import org.crs4j.crs.llmcrs.LlmcrsSettings;
import org.crs4j.crs.llmcrs.LlmcrsSetup;
import org.crs4j.crs.llmcrs.PromptSet;
import org.crs4j.crs.llmcrs.Stage;
import org.crs4j.crs.llmcrs.experts.ExpertRegistry;
import org.crs4j.crs.llmcrs.experts.RegistrySource;
import org.crs4j.data.model.Split;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller's supervised pairs on the fixture's training dialogues, with every mechanism and without experts. */
class StagePairsTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    static Environment env;
    static Llmcrs pipeline;

    @BeforeAll
    static void prepare() {
        env = LlmcrsFixture.environment(data, cache);
        LlmcrsSettings s = LlmcrsSettings.defaults();
        var noLlm = new org.crs4j.crs.llm.Llm() {
            @Override public String endpoint() { return "none"; }
            @Override public org.crs4j.crs.llm.LlmResponse complete(org.crs4j.crs.llm.LlmRequest r) { throw new AssertionError("pairs are built without the LLM"); }
        };
        pipeline = new Llmcrs(noLlm, env,
                RegistrySource.fixed(ExpertRegistry.shipped(env)), PromptSet.defaults(), LlmcrsSetup.demonstrations(env, s), s);
    }

    @AfterAll
    static void close() { env.db().close(); }

    private static List<StagePairs.Labeled> pairs(Set<Ablation> a) {
        return StagePairs.of(pipeline, env.data().split(Split.TRAIN).dialogues(), a);
    }

    @Test
    void everyRecommenderTurnAfterTheFirstGivesADetectionAndAResponsePair() {
        var all = pairs(Set.of());
        // 3 + 2 recommender turns, each after a seeker turn
        assertEquals(5, all.stream().filter(l -> l.stage() == Stage.DETECTION).count());
        assertEquals(5, all.stream().filter(l -> l.stage() == Stage.RESPONSE).count());
        assertTrue(all.stream().noneMatch(l -> l.stage() == Stage.RECOMMEND));
        var edWood = all.stream().filter(l -> l.stage() == Stage.DETECTION).findFirst().orElseThrow();
        assertEquals("Recommendation() -> Item", edWood.pair().target(), "a turn naming a new item is a recommendation");
    }

    @Test
    void withoutExpertsARecommendationTurnTeachesTheTitleFromTheCandidatesPrompt() {
        var woE = pairs(Set.of(Ablation.NO_EXPERTS));
        assertTrue(woE.stream().noneMatch(l -> l.stage() == Stage.MATCHING), "no expert to match");
        var recommend = woE.stream().filter(l -> l.stage() == Stage.RECOMMEND).toList();
        assertEquals(List.of("Ed Wood (1994)", "The Notebook (2004)"), recommend.stream().map(l -> l.pair().target()).toList(),
                "the turns that name a new item; the second Notebook turn names it again");
        assertTrue(recommend.getFirst().pair().prompt().contains("The candidate items, with their similarity to the dialogue, are: "), recommend.getFirst().pair().prompt());
        var notebook = recommend.getLast();
        var response = woE.stream().filter(l -> l.stage() == Stage.RESPONSE && l.turn() == notebook.turn() && l.dialogue().equals(notebook.dialogue()))
                .findFirst().orElseThrow();
        assertTrue(response.pair().prompt().contains("Expert Model: none, and Sub-Task Output: Recommended movies: The Notebook (2004)"), response.pair().prompt());
        assertEquals("Try The Notebook", response.pair().target());
    }
}

package org.crs4j.crs.llmcrs;

import static org.crs4j.crs.llmcrs.LlmcrsFixture.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Split;
import org.crs4j.data.prepare.PreparedTurn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubTaskLabelerTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    static Environment env;

    @BeforeAll
    static void prepare() { env = LlmcrsFixture.environment(data, cache); }

    @AfterAll
    static void close() { env.db().close(); }

    @Test
    void rulesOnTheTrainingDialogue() {
        var d = dialogue(env, Split.TRAIN, 0).turns();
        var labeler = new SubTaskLabeler(env);
        var rec = labeler.label(d, 1);
        assertEquals("Recommendation() -> Item", rec.call().render());
        assertEquals("new item", rec.rule());
        assertEquals(SubTaskLabeler.Source.RULE, rec.source());
        var detail = labeler.label(d, 3);
        assertEquals("Item Detail Search(item name=Ed Wood (1994); item attribute=director) -> Text", detail.call().render());
        var elicit = labeler.label(d, 5);
        assertEquals("User Preference Elicitation(category=horror) -> Text", elicit.call().render(), "the genre of the seeker's last turn");
        var again = labeler.label(dialogue(env, Split.TRAIN, 1).turns(), 3);
        assertEquals("Explanation(item name=The Notebook (2004)) -> Text", again.call().render(), "an item named before");
        assertEquals("Recommendation(category=romance) -> Item", labeler.label(dialogue(env, Split.TRAIN, 1).turns(), 1).call().render());
    }

    @Test
    void annotationsDecideWhereTheyExist() {
        var labeler = new SubTaskLabeler(env);
        List<PreparedTurn> turns = List.of(new PreparedTurn(Role.SEEKER, "想看恐怖片", new int[0], new int[0], List.of("谈论")),
                new PreparedTurn(Role.RECOMMENDER, "你喜欢什么类型？", new int[0], new int[0], List.of("请求推荐", "推荐电影")),
                new PreparedTurn(Role.RECOMMENDER, "推荐你看", new int[0], new int[0], List.of("谈论")));
        var l = labeler.label(turns, 1);
        assertEquals(SubTask.RECOMMENDATION, l.task());
        assertEquals(SubTaskLabeler.Source.ANNOTATION, l.source());
        assertEquals(SubTask.PREFERENCE_ELICITATION, labeler.byRules(turns, 1).task(), "the rules alone: a question, no item");
        assertEquals(SubTask.PREFERENCE_ELICITATION, labeler.label(turns, 2).task());
        assertTrue(SubTaskLabeler.fromAnnotation(List.of("反馈")).isEmpty());
    }

    @Test
    void agreementCountsTheConfusion() {
        var labeler = new SubTaskLabeler(env);
        var a = LabelAgreement.measure(env.data().split(Split.TRAIN), labeler, env, false);
        assertEquals(0, a.annotated(), "INSPIRED carries no goal actions");
        List<String> lines = a.lines();
        assertTrue(lines.getFirst().startsWith("recommender turns with an annotation: 0 (without: 5)"), lines.getFirst());
    }

    @Test
    void genreWordsNeedTheirNounWhenTheyAreCommonWords() {
        var g = new GenreWords(java.util.Set.of("crime", "horror", "comedy", "science fiction", "children", "film noir"));
        assertEquals(List.of("horror", "science fiction", "comedy"), g.find("Scary stuff, sci-fi or comedies"));
        assertEquals(List.of(), g.find("my family and kids are into crime podcasts"));
        assertEquals(List.of("crime", "film noir"), g.find("crime movies, noir too"));
    }
}

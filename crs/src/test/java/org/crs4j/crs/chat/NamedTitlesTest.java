package org.crs4j.crs.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.LlmcrsFixture;
import org.crs4j.data.model.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a chat message names: whole titles over the linker's pieces, unknown titles said, people and genres kept. */
class NamedTitlesTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    static Environment env;

    @BeforeAll
    static void open() {
        env = LlmcrsFixture.environment(data, cache);
    }

    @AfterAll
    static void close() {
        env.db().close();
    }

    private List<String> linked(NamedTitles.Result r) {
        return r.linked().stream().map(env::title).toList();
    }

    @Test
    void titlesWithAYearOrQuotesAreLookedUpWhole() {
        var r = NamedTitles.of(Role.SEEKER, "I loved Pirates of the Caribbean (2003) and \"The Notebook\"", env);
        assertEquals(List.of("Pirates of the Caribbean (2003)", "The Notebook (2004)"), linked(r));
        assertEquals(List.of(), r.unknown());
        assertEquals(Role.SEEKER, r.turn().role());
        assertArrayEquals(r.linked().stream().mapToInt(i -> i).toArray(), r.turn().items());
    }

    @Test
    void unknownTitlesAreReportedAsWrittenWithoutTheSentenceAroundThem() {
        var r = NamedTitles.of(Role.SEEKER, "Have you seen Moonfall (2022)? Or \"Casablanca\"? I liked Alien (1979)", env);
        assertEquals(List.of("Casablanca", "Moonfall (2022)"), r.unknown().stream().sorted().toList());
        assertEquals(List.of("Alien (1979)"), linked(r));
        var inSentence = NamedTitles.of(Role.SEEKER, "Yes! Something scary now, not The Lord of Nowhere (2031)", env);
        assertEquals(List.of("The Lord of Nowhere (2031)"), inSentence.unknown());
    }

    @Test
    void theLongestTitleBeforeTheYearWinsAndTheLinkerKeepsTheRest() {
        // "Alien, Sleepy Hollow (1999)" is no title: Sleepy Hollow (1999) is, and the linker finds Alien before it
        var r = NamedTitles.of(Role.SEEKER, "I loved Alien, Sleepy Hollow (1999) and anything with Johnny Depp", env);
        assertEquals(List.of("Alien (1979)", "Sleepy Hollow (1999)"), linked(r));
        int depp = env.data().graph().entityKeys().indexOf(LlmcrsFixture.JD);
        assertEquals(depp, r.turn().entities()[r.turn().entities().length - 1], "people stay among the entities, in order");
        assertEquals(List.of(), r.unknown());
    }

    @Test
    void aTitleWithoutYearOrQuotesIsTheLinkers() {
        var r = NamedTitles.of(Role.SEEKER, "ed wood was fun, the notebook too", env);
        assertArrayEquals(env.turn(Role.SEEKER, "ed wood was fun, the notebook too").items(), r.turn().items());
        assertEquals(List.of(), r.unknown());
    }
}

package org.crs4j.crs.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Seed 003's "90 % token overlap" on titles that trip simple matchers. */
class TitleMatcherTest {

    private static void same(String a, String b) {
        assertTrue(TitleMatcher.matches(a, b), "\"" + a + "\" should match \"" + b + "\"");
        assertTrue(TitleMatcher.matches(b, a), "symmetric: \"" + b + "\" / \"" + a + "\"");
    }

    private static void different(String a, String b) {
        assertFalse(TitleMatcher.matches(a, b), "\"" + a + "\" should not match \"" + b + "\"");
        assertFalse(TitleMatcher.matches(b, a), "symmetric: \"" + b + "\" / \"" + a + "\"");
    }

    @Test
    void sequelsAndNumbersStayApart() {
        different("The Conjuring (2013)", "The Conjuring 2 (2016)");
        different("The Conjuring", "The Conjuring 2");
        different("Toy Story", "Toy Story 3");
        different("Rocky", "Rocky II");
        different("300", "300: Rise of an Empire");
        different("Alien", "Aliens");
        same("Rocky II", "Rocky 2");
        same("Rocky V (1990)", "Rocky 5");
        same("Star Wars: Episode IV - A New Hope (1977)", "Star Wars Episode 4: A New Hope");
        same("Harry Potter and the Deathly Hallows: Part 2", "Harry Potter and the Deathly Hallows – Part II");
        same("1917 (2019)", "1917");
        same("2012", "2012 (2009)");
    }

    @Test
    void yearsArticlesAndPunctuation() {
        same("The Conjuring (2013)", "Conjuring");
        same("The Conjuring (2013)", "the conjuring [2013]");
        different("Halloween (1978)", "Halloween (2018)");
        same("Halloween", "Halloween (2018)");
        same("Shining, The (1980)", "The Shining");
        same("A Quiet Place", "Quiet Place (2018)");
        same("Harry Potter and the Sorcerer's Stone", "Harry Potter & the Sorcerer’s Stone");
        same("Spider-Man: Homecoming", "spider man homecoming");
        same("Amélie (2001)", "Amelie");
        same("Ocean's Eleven", "Oceans Eleven");
        different("The", "A");
        assertEquals(new TitleMatcher.Title(List.of("conjuring", "2"), 2016), TitleMatcher.parse("The Conjuring 2 (2016)"));
        assertEquals(new TitleMatcher.Title(List.of("the"), 0), TitleMatcher.parse("The"));
    }

    @Test
    void ninetyPercentMeansOneTokenOfTenMayDiffer() {
        String borat = "Borat: Cultural Learnings of America for Make Benefit Glorious Nation of Kazakhstan"; // 12 tokens
        same(borat, borat.replace(" Glorious", ""));            // 11 of 12 = 0.917
        different(borat, borat.replace(" Glorious", "").replace(" Make", "")); // 10 of 12 = 0.833
        different("Sweeney Todd", "Sweeney Todd: The Demon Barber of Fleet Street (2007)");
        assertEquals(1 / 2.0, TitleMatcher.overlap(TitleMatcher.parse("The Conjuring"), TitleMatcher.parse("The Conjuring 2")));
        assertEquals(2 / 3.0, TitleMatcher.overlap(TitleMatcher.parse("heat heat alien"), TitleMatcher.parse("heat alien alien")), "multisets");
        assertEquals(0.0, TitleMatcher.overlap(TitleMatcher.parse(""), TitleMatcher.parse("Heat")));
    }

    @Test
    void theIndexPrefersOverlapThenYearThenRank() {
        var m = new TitleMatcher(List.of("Halloween (1978)", "Heat (1995)", "Halloween (2018)", "The Conjuring (2013)", "The Conjuring 2 (2016)"));
        assertEquals(0, m.match("Halloween"), "no year: the better-ranked one");
        assertEquals(2, m.match("Halloween (2018)"));
        assertEquals(3, m.match("the conjuring"));
        assertEquals(4, m.match("Conjuring 2"));
        assertEquals(-1, m.match("The Conjuring 3"));
        assertEquals(-1, m.match("Heat (1996)"));
        assertEquals(-1, m.match(""));
        assertEquals(5, m.size());
    }
}

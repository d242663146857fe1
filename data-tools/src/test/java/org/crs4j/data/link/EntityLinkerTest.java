package org.crs4j.data.link;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class EntityLinkerTest {
    static final String[] NAMES = {"Johnny Depp", "Tim Burton", "The Shining", "Stanley Kubrick", "Her", "It", "Love",
            "Heat", "Alice in Wonderland", "Sweeney Todd", "Science fiction", "Jamie Lee Curtis", "Paris", "Steven Spielberg",
            "厉鬼将映", "恐怖", "Horror film", "The Box", "Take 5", "Americana", "Charles Band", "女朋友", "Problem", "Movies"};

    static EntityLinker linker() {
        EntityLinker.Builder b = EntityLinker.builder();
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals("厉鬼将映") || NAMES[i].equals("女朋友")) b.addTitle(NAMES[i], i, 0);
            else b.add(NAMES[i], i, 0, false);
        }
        b.add("horror", 16, -1, true);
        return b.build();
    }

    static Set<String> found(EntityLinker l, String text) {
        Set<String> out = new TreeSet<>();
        for (Mention m : l.link(text)) out.add(NAMES[m.entity()]);
        return out;
    }

    /** Sentences with the entities a careful annotator would mark: the linker must find no others. */
    static final Object[][] CASES = {
            {"I love Johnny Depp in Alice in Wonderland", Set.of("Johnny Depp", "Alice in Wonderland")},
            {"have you seen The Shining by stanley kubrick?", Set.of("The Shining", "Stanley Kubrick")},
            {"It topped the box office, take a look", Set.of()},                                // "the" + lowercase word; no fuzzy "take a"
            {"What Movies Can I Recommend You Today? Love Her", Set.of()},                      // Title Case says nothing
            {"an American movie", Set.of()},                                                    // no fuzzy single words
            {"I loved The Shining! It scared me", Set.of("The Shining")},                      // no fuzzy match across sentences
            {"it's a classic", Set.of()},
            {"Hi, Charles and I are looking for a comedy", Set.of()},                          // "and" is no typo of "Band"                                                       // "it's" is not a possessive
            {"Jonny Depp was great in Sweeny Todd", Set.of("Johnny Depp", "Sweeney Todd")},       // one typo each
            {"Tim Burtin and Johnny Dep again", Set.of("Tim Burton", "Johnny Depp")},
            {"It was good. I love it and her too", Set.of()},                                    // common words stay words
            {"Love that one! her acting was fine", Set.of()},
            {"I watched Her last night", Set.of()},                                             // common-word names are never linked
            {"No Problem! What Movies do you like?", Set.of()},
            {"the heat was unbearable in paris", Set.of()},                                     // lowercase single words
            {"Heat is a classic set in Paris", Set.of("Heat", "Paris")},
            {"any horror or science fiction?", Set.of("Horror film", "Science fiction")},
            {"Jamie Lee Curtis and Steven Spielberg's films", Set.of("Jamie Lee Curtis", "Steven Spielberg")},
            {"我推荐《厉鬼将映》，很恐怖", Set.of("厉鬼将映", "恐怖")},
            {"在和女朋友聊厉鬼将映", Set.of()},                                                  // Chinese titles only inside 《》
            {"I am helping my brother", Set.of()},                                              // no fuzzy match across token boundaries
            {"Stanley Kubricks films", Set.of()},                                               // a plural is not a typo
    };

    @Test
    void precisionAndRecallOnFixtures() {
        EntityLinker l = linker();
        int tp = 0, fp = 0, fn = 0;
        List<String> failures = new ArrayList<>();
        for (Object[] c : CASES) {
            @SuppressWarnings("unchecked") Set<String> expected = (Set<String>) c[1];
            Set<String> got = found(l, (String) c[0]);
            for (String g : got) if (expected.contains(g)) tp++; else fp++;
            for (String e : expected) if (!got.contains(e)) fn++;
            if (!got.equals(expected)) failures.add(c[0] + " -> " + got + " (expected " + expected + ")");
        }
        double precision = tp / (double) (tp + fp), recall = tp / (double) (tp + fn);
        assertEquals(1.0, precision, "precision; failures: " + failures);
        assertEquals(1.0, recall, "recall; failures: " + failures);
    }

    @Test
    void mentionsCarryOffsetsAndPreferTheLongestName() {
        EntityLinker.Builder b = EntityLinker.builder();
        b.add("Alice", 0, 0, false).add("Alice in Wonderland", 1, 0, false).add("Wonderland", 2, 0, false);
        String text = "Watch Alice in Wonderland, then Wonderland.";
        List<Mention> ms = b.build().link(text);
        assertEquals(2, ms.size());
        assertEquals(1, ms.get(0).entity());
        assertEquals("Alice in Wonderland", text.substring(ms.get(0).start(), ms.get(0).end()));
        assertEquals(2, ms.get(1).entity());
        assertFalse(ms.get(0).fuzzy());
    }

    @Test
    void fuzzyMatchesReportTheirDistanceAndClashesGoToPriority() {
        EntityLinker.Builder b = EntityLinker.builder();
        b.add("The Matrix", 5, 1, false).add("The Matrix", 9, 7, false).add("Christopher Nolan", 3, 0, false);
        EntityLinker l = b.build();
        assertEquals(9, l.link("I liked The Matrix").getFirst().entity(), "higher priority wins a shared name");
        Mention m = l.link("christopher nolam is great").getFirst();
        assertEquals(3, m.entity());
        assertEquals(1, m.distance());
        assertTrue(m.fuzzy());
    }

    @Test
    void editDistanceIsOptimalStringAlignment() {
        assertEquals(0, EditDistance.bounded("depp", "depp", 2));
        assertEquals(1, EditDistance.bounded("depp", "dep", 2));
        assertEquals(1, EditDistance.bounded("burton", "burtno", 2), "adjacent swap is one edit");
        assertEquals(2, EditDistance.bounded("kitten", "sitting", 1) > 1 ? 2 : 0, "stops past the bound");
        assertEquals(3, EditDistance.bounded("kitten", "sitting", 5));
    }

    @Test
    void normalizationFoldsCaseAccentsApostrophesAndSplitsCjk() {
        assertEquals("schindler list", NormalizedText.normalize("Schindler's List"));
        assertEquals("dont stop", NormalizedText.normalize("Don't stop"));
        assertEquals("amelie", NormalizedText.normalize("Amélie"));
        assertEquals("fast and furious", NormalizedText.normalize("Fast & Furious"));
        assertEquals("厉 鬼 将 映", NormalizedText.normalize("《厉鬼将映》"));
        NormalizedText t = NormalizedText.of("Hi. Her film");
        assertArrayEquals(new boolean[] {true, true, false}, t.sentenceStart());
        assertArrayEquals(new boolean[] {true, true, false}, t.capitalized());
    }

    @Test
    void dbpediaKeysBecomeReadableNames() {
        assertEquals("The Thin Red Line", EntityNames.displayName("<http://dbpedia.org/resource/The_Thin_Red_Line_(1998_film)>"));
        assertEquals("Amélie", EntityNames.displayName("<http://dbpedia.org/resource/Am%C3%A9lie>"));
        assertEquals("Pete Seeger", EntityNames.displayName("Pete Seeger"));
    }
}

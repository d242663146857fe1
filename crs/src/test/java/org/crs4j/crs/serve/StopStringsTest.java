package org.crs4j.crs.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming stop-string cutter against the obvious rule, on random texts cut into random pieces (tokens): after
 * each piece, search the whole text so far for every stop string; at the first piece where one occurs, the answer is
 * the text before the earliest occurrence. (A stop that would complete later never does: generation has stopped.)
 */
class StopStringsTest {

    private static String naive(List<String> pieces, List<String> stops) {
        StringBuilder text = new StringBuilder();
        for (String p : pieces) {
            text.append(p);
            int cut = -1;
            for (String s : stops) {
                int at = text.indexOf(s);
                if (at >= 0 && (cut < 0 || at < cut)) cut = at;
            }
            if (cut >= 0) return text.substring(0, cut);
        }
        return text.toString();
    }

    @Test
    void streamedOutputEqualsTheWholeTextCutAtTheFirstStop() {
        Random rng = new Random(12);
        String alphabet = "ab\nc";
        for (int trial = 0; trial < 3000; trial++) {
            List<String> stops = new ArrayList<>();
            for (int k = rng.nextInt(4); k >= 0; k--) stops.add(random(rng, alphabet, 1 + rng.nextInt(4)));
            String text = random(rng, alphabet, rng.nextInt(40));
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < text.length(); ) {
                int len = Math.min(text.length() - i, 1 + rng.nextInt(5));
                pieces.add(text.substring(i, i + len));
                i += len;
            }
            StopStrings cutter = new StopStrings(stops);
            StringBuilder out = new StringBuilder();
            String expected = naive(pieces, stops);
            for (String piece : pieces) {
                if (cutter.stopped()) break;
                out.append(cutter.push(piece));
                // nothing beyond the final answer is ever shown
                assertTrue(expected.startsWith(out.toString()), () -> "stops " + stops + " pieces " + pieces + " out " + out);
            }
            out.append(cutter.flush());
            assertEquals(expected, out.toString(), "stops " + stops + " pieces " + pieces);
            assertEquals(expected.length() < text.length(), cutter.stopped(), "stops " + stops + " pieces " + pieces);
        }
    }

    @Test
    void withoutStopsEveryPieceGoesStraightOut() {
        StopStrings none = new StopStrings(List.of());
        assertEquals("abc", none.push("abc"));
        assertEquals("", none.flush());
    }

    private static String random(Random rng, String alphabet, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(alphabet.charAt(rng.nextInt(alphabet.length())));
        return b.toString();
    }
}

package org.crs4j.crs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.crs.eval.TextMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `crs4j score --hypotheses --references` through the real entry point, against NLTK's values. */
class ScoreCommandTest {

    private static JsonNode cliCase() throws Exception {
        try (InputStream in = TextMetrics.class.getResourceAsStream("text_metrics_nltk.json")) {
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases"))
                if (c.get("name").asText().contains("command-line form")) return c;
        }
        throw new AssertionError("fixture case missing");
    }

    /** The value of a printed row, after checking that its interval holds it (and, where NLTK's fixture has one, equals it). */
    private static double printed(String out, String metric, JsonNode intervals) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + " +(\\S+) +\\[ *(\\S+), +(\\S+)\\] +(sd|se) (\\S+)$").matcher(out);
        assertTrue(m.find(), metric + " not in:\n" + out);
        double value = Double.parseDouble(m.group(1)), lo = Double.parseDouble(m.group(2)), hi = Double.parseDouble(m.group(3));
        assertTrue(lo <= value + 1e-4 && value <= hi + 1e-4, metric + " outside its interval: " + m.group());
        JsonNode ref = intervals.get(metric);
        if (ref != null) {
            assertEquals(ref.get(0).asDouble(), lo, 5.1e-5, metric + " interval low (scipy / naive jackknife)");
            assertEquals(ref.get(1).asDouble(), hi, 5.1e-5, metric + " interval high");
            assertEquals(ref.get(2).asDouble(), Double.parseDouble(m.group(5)), 5.1e-5, metric + " deviation");
        }
        return value;
    }

    @Test
    void printsNltkBleuAndDistinctWithIntervals(@TempDir Path dir) throws Exception {
        JsonNode c = cliCase();
        List<String> hyps = new ArrayList<>(), refs = new ArrayList<>();
        c.get("hypotheses").forEach(h -> hyps.add(h.textValue()));
        c.get("references").forEach(r -> refs.add(r.get(0).textValue()));
        Path h = dir.resolve("hyp.txt"), r = dir.resolve("ref.txt");
        Files.writeString(h, String.join("\n", hyps) + "\n");
        Files.writeString(r, String.join("\r\n", refs)); // CRLF and no final newline read the same
        var res = MainTokenizeTest.main("", "score", "--hypotheses", h.toString(), "--references", r.toString(), "--resamples", "200");
        assertEquals(0, res.exit(), res.err());
        JsonNode e = c.get("expected");
        long empty = 0;
        for (JsonNode t : e.get("tokens")) if (t.isEmpty()) empty++;
        assertTrue(res.out().startsWith(String.format(Locale.ROOT, "%d responses (%d hypotheses without tokens)", hyps.size(), empty)), res.out());
        for (int k = 1; k <= 4; k++) {
            double mean = 0;
            for (JsonNode v : e.get("crs_bleu").get(String.valueOf(k))) mean += v.asDouble();
            mean /= hyps.size();
            JsonNode iv = e.get("intervals");
            assertEquals(mean, printed(res.out(), "BLEU-" + k, iv), 5.1e-5);
            assertEquals(e.get("corpus_bleu").get(String.valueOf(k)).asDouble(), printed(res.out(), "corpus BLEU-" + k, iv), 5.1e-5);
            assertEquals(e.get("distinct").get(String.valueOf(k)).asDouble(), printed(res.out(), "Dist-" + k, iv), 5.1e-5);
        }
        var again = MainTokenizeTest.main("", "score", "--hypotheses", h.toString(), "--references", r.toString(), "--resamples", "200");
        assertEquals(res.out(), again.out(), "the bootstrap is seeded");
    }

    @Test
    void badInputIsOneLineNamingTheFileOrOption(@TempDir Path dir) throws Exception {
        Path two = dir.resolve("two.txt"), three = dir.resolve("three.txt"), empty = dir.resolve("empty.txt"), bad = dir.resolve("bad.txt");
        Files.writeString(two, "a b\nc d\n");
        Files.writeString(three, "a b\n\nc d\n");
        Files.writeString(empty, "");
        Files.write(bad, "fine\nbro\u00e9ken\n".getBytes(StandardCharsets.ISO_8859_1));
        record Case(String[] args, String expected) {}
        for (Case c : List.of(
                new Case(new String[] {"--hypotheses", two.toString(), "--references", three.toString()},
                        "crs4j score: --references " + three + ": 3 lines, but --hypotheses " + two + " has 2 (one text per line, in the same order)"),
                new Case(new String[] {"--hypotheses", dir.resolve("none.txt").toString(), "--references", two.toString()},
                        "crs4j score: --hypotheses " + dir.resolve("none.txt") + ": no such file"),
                new Case(new String[] {"--hypotheses", empty.toString(), "--references", two.toString()},
                        "crs4j score: --hypotheses " + empty + ": the file is empty"),
                new Case(new String[] {"--hypotheses", bad.toString(), "--references", two.toString()},
                        "crs4j score: --hypotheses " + bad + " line 2: invalid UTF-8"),
                new Case(new String[] {"--hypotheses", two.toString()}, "crs4j score: --hypotheses needs --references FILE"),
                new Case(new String[] {}, "crs4j score: give --hypotheses FILE --references FILE"),
                new Case(new String[] {"--hypotheses", two.toString(), "--references", two.toString(), "--resamples", "0"},
                        "crs4j score: --resamples: must be >= 1, got 0"))) {
            String[] args = new String[c.args().length + 1];
            args[0] = "score";
            System.arraycopy(c.args(), 0, args, 1, c.args().length);
            var res = MainTokenizeTest.main("", args);
            assertEquals(1, res.exit());
            assertEquals(c.expected(), res.err().strip());
            assertEquals("", res.out(), "nothing printed before the error");
            assertFalse(res.err().contains("\tat "));
        }
        var same = MainTokenizeTest.main("", "score", "--hypotheses", three.toString(), "--references", three.toString());
        assertEquals(0, same.exit(), same.err());
        assertTrue(same.out().startsWith("3 responses (1 hypotheses without tokens)"), same.out());
    }
}

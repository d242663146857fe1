package org.crs4j.crs.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bleu and Distinct against NLTK 3.8 on the fixtures of scripts/make_text_metric_fixtures.py. */
class TextMetricsNltkTest {

    private static JsonNode fixtures() throws Exception {
        try (InputStream in = TextMetricsNltkTest.class.getResourceAsStream("text_metrics_nltk.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Equal to a relative 1e-12, or both below the normal range (NLTK's method0 values times a brevity penalty). */
    private static void close(double expected, double actual, String what) {
        double tol = 1e-12 * Math.max(Math.abs(expected), Math.abs(actual)) + 1e-318;
        assertTrue(Math.abs(expected - actual) <= tol, what + ": NLTK " + expected + ", crs4j " + actual);
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(x -> out.add(x.textValue()));
        return out;
    }

    @Test
    void tokensBleuAndDistinctEqualNltk() throws Exception {
        int checked = 0, tinyNonZero = 0;
        for (JsonNode c : fixtures().get("cases")) {
            String name = c.get("name").asText();
            List<List<String>> hyps = new ArrayList<>();
            for (JsonNode h : c.get("hypotheses")) hyps.add(Bleu.tokens(h.textValue()));
            List<List<List<String>>> refs = new ArrayList<>();
            for (JsonNode rs : c.get("references")) {
                List<List<String>> r = new ArrayList<>();
                for (JsonNode x : rs) r.add(Bleu.tokens(x.textValue()));
                refs.add(r);
            }
            JsonNode e = c.get("expected");
            for (int i = 0; i < hyps.size(); i++) assertEquals(strings(e.get("tokens").get(i)), hyps.get(i), name + " tokens of hypothesis " + i);
            for (int k = 1; k <= 4; k++) {
                double[] mine = Bleu.crsBleu(refs, hyps, k);
                JsonNode theirs = e.get("crs_bleu").get(String.valueOf(k));
                for (int i = 0; i < mine.length; i++) {
                    close(theirs.get(i).asDouble(), mine[i], name + " BLEU-" + k + " of hypothesis " + i);
                    if (mine[i] > 0 && mine[i] < 1e-300) tinyNonZero++;
                    checked++;
                }
                close(e.get("corpus_bleu").get(String.valueOf(k)).asDouble(), Bleu.corpusBleu(refs, hyps, Bleu.uniform(k)), name + " corpus BLEU-" + k);
                close(e.get("distinct").get(String.valueOf(k)).asDouble(), Distinct.distinct(hyps, k), name + " Distinct-" + k);
            }
        }
        assertTrue(checked > 1200, "checked " + checked);
        assertTrue(tinyNonZero > 0, "NLTK's method0 values (about 2e-308, not 0) are among the checked ones");
    }

    @Test
    void handComputedValues() {
        // hypothesis "the cat sat", reference "the cat sat on the mat": p1 = p2 = 1, BP = exp(1 - 6/3) = e^-1
        var ref = List.of(Bleu.tokens("The cat sat on the mat"));
        var hyp = Bleu.tokens("the CAT sat");
        assertEquals(Math.exp(-1), Bleu.sentenceBleu(ref, hyp, Bleu.crsWeights(2)), 1e-15);
        // order 4 has no n-gram at all: p4 is NLTK's smallest normal number
        assertEquals(Math.exp(-1) * Math.exp(Math.log(Double.MIN_NORMAL)), Bleu.sentenceBleu(ref, hyp, Bleu.crsWeights(4)), 1e-320);
        assertEquals(0.0, Bleu.sentenceBleu(ref, Bleu.tokens("dog"), Bleu.crsWeights(2)), "no unigram match: exactly 0");
        assertEquals(0.0, Bleu.sentenceBleu(ref, List.of(), Bleu.crsWeights(1)));
        // Distinct: {i, like, it, too} over 2 responses for n = 1; {i like, like it, it too} for n = 2
        var responses = List.of(Bleu.tokens("I like it"), Bleu.tokens("i LIKE it too"));
        assertEquals(4 / 2.0, Distinct.distinct(responses, 1));
        assertEquals(3 / 2.0, Distinct.distinct(responses, 2));
        assertEquals(List.of(), Bleu.tokens(" \t\u00a0"));
        assertEquals(List.of("a", "b"), Bleu.tokens("A\u2007b"));
        assertThrows(IllegalArgumentException.class, () -> Bleu.crsWeights(5));
        assertThrows(IllegalArgumentException.class, () -> Bleu.corpusBleu(List.of(ref), List.of(), Bleu.uniform(4)));
    }

    @Test
    void chineseIsTokenizedByCharacter() {
        // TG-ReDial's responses have no spaces: each Han character and full-width mark is a token, Latin runs stay words
        assertEquals(List.of("推", "荐", "《", "厉", "鬼", "将", "映", "》", "，", "ok", "~~", "真", "好"),
                Bleu.tokens("推荐《厉鬼将映》，OK\u3000~~真好"));
        assertEquals(List.of("x", "𠀀", "y"), Bleu.tokens("x𠀀y"), "a character outside the BMP is one token");
        // reference 我喜欢这部电影 (7 characters), hypothesis 我喜欢 (3): p1 = p2 = 1, BP = exp(1 - 7/3)
        var ref = List.of(Bleu.tokens("我喜欢这部电影"));
        assertEquals(Math.exp(1 - 7 / 3.0), Bleu.sentenceBleu(ref, Bleu.tokens("我喜欢"), Bleu.crsWeights(2)), 1e-15);
        assertEquals(3 / 2.0, Distinct.distinct(List.of(Bleu.tokens("好看"), Bleu.tokens("好听")), 1));
    }
}

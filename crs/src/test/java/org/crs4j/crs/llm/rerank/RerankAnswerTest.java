package org.crs4j.crs.llm.rerank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmException;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.crs.llm.PromptTemplate;
import org.junit.jupiter.api.Test;

/** Reading E, I^llm and R from the answers LLMs actually give, and matching the list to the candidates. */
class RerankAnswerTest {
    private static final List<String> CANDIDATES = List.of("Heat (1995)", "The Conjuring (2013)", "The Conjuring 2 (2016)",
            "Halloween (1978)", "Halloween (2018)", "Mission: Impossible (1996)");

    @Test
    void plainSectionsAsThePromptAsksForThem() {
        var a = RerankAnswer.parse("""
                Explanation: The user loved The Conjuring (2013), so its sequel follows from that.
                It also suits their taste for horror.
                Ranking:
                1. The Conjuring 2 (2016)
                2. Halloween (1978).
                3) "Heat (1995)"
                Response: You should watch The Conjuring 2!""");
        assertTrue(a.parsed());
        assertEquals("The user loved The Conjuring (2013), so its sequel follows from that.\nIt also suits their taste for horror.", a.explanation());
        assertEquals(List.of("The Conjuring 2 (2016)", "Halloween (1978)", "Heat (1995)"), a.titles());
        assertEquals("You should watch The Conjuring 2!", a.response());
    }

    @Test
    void markdownHeadingsBulletsAndInlineLists() {
        var md = RerankAnswer.parse("""
                ## **Causal explanation:**
                The user's stated love of horror drives this.

                **Re-ranked list:**
                - **Halloween (2018)**
                * Halloween (1978) — the original slasher that started it all

                **Response:** Try Halloween!""");
        assertTrue(md.parsed());
        assertEquals(List.of("Halloween (2018)", "Halloween (1978) — the original slasher that started it all"), md.titles());
        assertEquals("Try Halloween!", md.response());
        var inline = RerankAnswer.parse("Ranking: Heat (1995); Halloween (1978) | The Conjuring (2013)\nResponse: ok");
        assertEquals(List.of("Heat (1995)", "Halloween (1978)", "The Conjuring (2013)"), inline.titles());
        var lines = RerankAnswer.parse("RANKING:\nHeat (1995)\nHalloween (1978)\n");
        assertEquals(List.of("Heat (1995)", "Halloween (1978)"), lines.titles());
        assertEquals("", lines.explanation(), "a missing explanation is empty, not an error");
    }

    @Test
    void jsonAnswersInsideProse() {
        var a = RerankAnswer.parse("""
                Sure! Here is my answer:
                ```json
                {"explanation": "horror fan", "ranking": ["The Conjuring 2 (2016)", {"title": "Heat (1995)"}], "response": "Watch it."}
                ```""");
        assertTrue(a.parsed());
        assertEquals(List.of("The Conjuring 2 (2016)", "Heat (1995)"), a.titles());
        assertEquals("horror fan", a.explanation());
        assertEquals("Watch it.", a.response());
    }

    @Test
    void answersWithoutAListAreUnparsable() {
        for (String text : List.of("", "I think you would like some horror movies!", "Explanation: none\nResponse: hi", "Ranking:\n\n",
                "{\"explanation\": \"x\", \"ranking\": []}")) {
            assertFalse(RerankAnswer.parse(text).parsed(), text);
        }
    }

    /** Answers a fixed text whatever it is asked, and remembers the prompt. */
    private static final class Fixed implements Llm {
        final List<String> prompts = new ArrayList<>();
        final String text;

        Fixed(String text) {
            this.text = text;
        }

        @Override
        public String endpoint() {
            return "fixed";
        }

        @Override
        public LlmResponse complete(LlmRequest r) {
            prompts.add(r.prompt());
            if (text == null) throw new LlmException("fixed: HTTP 503: down");
            return LlmResponse.text(text, 10, 5, 1_000_000);
        }
    }

    private static LlmReranker reranker(Llm llm) {
        PromptTemplate t = PromptTemplate.parse("test", "C:\n{{context}}\nI:\n{{candidates}}\nk={{k}}", LlmReranker.SLOTS, java.util.Set.of());
        return new LlmReranker(llm, t, RerankSettings.defaults());
    }

    @Test
    void inventedItemsAreDroppedAndCountedDuplicatesCountOnce() {
        var llm = new Fixed("""
                Explanation: sequels follow from what the user loved.
                Ranking:
                1. The Conjuring 2
                2. Conjuring 2 (2016)
                3. The Conjuring 3 (2021)
                4. Halloween - the original slasher that started it all
                5. Mission: Impossible - Fallout
                6. Heat (1995) — Michael Mann's heist film
                Response: Watch The Conjuring 2.""");
        var r = reranker(llm).rerank(List.of("User: I loved The Conjuring (2013)"), CANDIDATES);
        assertEquals(LlmReranker.Status.PARSED, r.status());
        assertArrayEquals(new int[] {2, 3, 0}, r.order(), "Halloween without a year: the better-ranked 1978 one");
        assertEquals(List.of("The Conjuring 3 (2021)", "Mission: Impossible - Fallout"), r.invented(), "a sequel is not its original");
        assertEquals(1, r.duplicates());
        assertEquals("C:\nUser: I loved The Conjuring (2013)\nI:\n- Heat (1995)\n- The Conjuring (2013)\n- The Conjuring 2 (2016)\n"
                + "- Halloween (1978)\n- Halloween (2018)\n- Mission: Impossible (1996)\nk=6", llm.prompts.get(0));
    }

    @Test
    void unparsableAndFailedCallsFallBackToTheCandidatesOrder() {
        var chat = reranker(new Fixed("You will love these movies!")).rerank(List.of("User: hi"), CANDIDATES);
        assertEquals(LlmReranker.Status.UNPARSABLE, chat.status());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, chat.order());
        assertEquals("You will love these movies!", chat.response(), "the whole answer stands in for R");
        var empty = reranker(new Fixed("")).rerank(List.of("User: hi"), CANDIDATES);
        assertEquals(LlmReranker.Status.UNPARSABLE, empty.status());
        var down = reranker(new Fixed(null)).rerank(List.of("User: hi"), CANDIDATES);
        assertEquals(LlmReranker.Status.FAILED, down.status());
        assertEquals("fixed: HTTP 503: down", down.error());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, down.order());
    }

    @Test
    void promptTemplatesAreCheckedWhenRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var shipped = LlmReranker.prompt(null);
        assertEquals(java.util.Set.of("context", "candidates", "k"), shipped.slots());
        var f = dir.resolve("p.txt");
        java.nio.file.Files.writeString(f, "Context:\n{{context}}\n\nList {{candidats}} now");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LlmReranker.prompt(f));
        assertEquals(f + " line 4: unknown slot {{candidats}} (this prompt's slots: candidates, context, k)", e.getMessage());
        java.nio.file.Files.writeString(f, "{{context}} only");
        assertEquals(f + ": the prompt must use the slot {{candidates}}",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LlmReranker.prompt(f)).getMessage());
        java.nio.file.Files.writeString(f, "{{context}}\n{{candidates}}\n{{k");
        assertEquals(f + " line 3: \"{{\" is not closed by \"}}\"",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LlmReranker.prompt(f)).getMessage());
    }
}

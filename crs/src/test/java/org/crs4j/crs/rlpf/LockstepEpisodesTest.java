package org.crs4j.crs.rlpf;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.crs4j.crs.controller.TinyT5;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.crs.llm.Sampling;
import org.crs4j.models.t5.T5;
import org.junit.jupiter.api.Test;

/**
 * Episodes of several calls played in lock step: each episode's samples are exactly its own calls in order, episodes
 * making different numbers of calls neither hang nor mix, the same seed gives the same samples, and a failing episode
 * is reported rather than hanging the others.
 */
class LockstepEpisodesTest {

    /** Episode i makes i % 4 calls whose prompts depend on the previous answer (as LLMCRS's stages do). */
    private static List<String> play(int i, org.crs4j.crs.llm.Llm llm) {
        List<String> texts = new ArrayList<>();
        String last = "";
        for (int c = 0; c < i % 4; c++) {
            LlmResponse r = llm.complete(new LlmRequest("stage" + c, "episode " + i + " call " + c + " " + last, new Sampling(3 + c, 1, 1, 0)));
            assertTrue(r.outputIds().length <= 3 + c, "each request's own token cap");
            last = r.text();
            texts.add(last);
        }
        return texts;
    }

    private static List<List<int[]>> run(T5 lm, long seed, int n) {
        Policy p = new Policy(lm, 1.0, 1.0, 16);
        p.begin(seed, n);
        List<List<String>> texts = LockstepEpisodes.play(n, p, LockstepEpisodesTest::play);
        List<List<int[]>> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var samples = p.samples(i);
            assertTrue(samples.size() <= i % 4, "episode " + i + " recorded " + samples.size() + " samples for " + (i % 4) + " calls");
            assertEquals(i % 4, texts.get(i).size());
            List<int[]> e = new ArrayList<>();
            for (int k = 0; k < samples.size(); k++) {
                assertEquals("stage" + k, samples.get(k).stage(), "episode " + i + ": its own calls, in order");
                e.add(samples.get(k).outputIds());
            }
            ids.add(e);
        }
        return ids;
    }

    @Test
    void episodesKeepTheirOwnCallsAndTheSameSeedSamplesTheSame() throws Exception {
        T5 lm = TinyT5.inMemory(16, 32, 1, 3);
        var a = run(lm, 42, 9);
        var b = run(lm, 42, 9);
        for (int i = 0; i < 9; i++) {
            assertEquals(a.get(i).size(), b.get(i).size());
            for (int k = 0; k < a.get(i).size(); k++) assertArrayEquals(a.get(i).get(k), b.get(i).get(k), "episode " + i + " call " + k);
        }
        var c = run(lm, 43, 9);
        boolean differs = false;
        for (int i = 0; i < 9; i++) for (int k = 0; k < Math.min(a.get(i).size(), c.get(i).size()); k++)
            differs |= !java.util.Arrays.equals(a.get(i).get(k), c.get(i).get(k));
        assertTrue(differs, "another seed samples otherwise");
    }

    @Test
    void aFailingEpisodeIsReportedAndTheOthersFinish() throws Exception {
        T5 lm = TinyT5.inMemory(16, 32, 1, 3);
        Policy p = new Policy(lm, 1.0, 1.0, 16);
        p.begin(1, 5);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LockstepEpisodes.play(5, p, (i, llm) -> {
            List<String> t = play(i + 2, llm);
            if (i == 2) throw new IllegalStateException("episode two broke");
            return t;
        }));
        assertEquals("episode two broke", e.getMessage());
    }
}

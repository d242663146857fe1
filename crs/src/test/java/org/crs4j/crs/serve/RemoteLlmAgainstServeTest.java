package org.crs4j.crs.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.crs4j.crs.llm.LlmException;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.crs.llm.LocalLlm;
import org.crs4j.crs.llm.RemoteLlm;
import org.crs4j.crs.llm.Sampling;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.LanguageModels;
import org.junit.jupiter.api.Test;

/**
 * crs4j as its own remote endpoint: the LLM layer's {@code RemoteLlm} (what LLMCRS and the re-ranking stage use for a
 * {@code --llm URL#MODEL}) against {@code crs4j serve} with the raw chat format gives exactly what {@code LocalLlm}
 * gives on the same model — greedy and seeded sampling, whole and streamed.
 */
class RemoteLlmAgainstServeTest {

    @Test
    void remoteThroughTheServerEqualsLocal() throws Exception {
        try (LanguageModel stories = LanguageModels.load(TestServer.stories());
             TestServer server = new TestServer(ServeLimits.defaults(), null,
                     List.of(new ServedModel("stories", stories, ChatFormat.bundled("raw"), ServeLimits.defaults())))) {
            LocalLlm local = new LocalLlm(stories, "local", false);
            RemoteLlm remote = RemoteLlm.open("http://127.0.0.1:" + server.port() + "/v1#stories", RemoteLlm.Settings.defaults(), null);
            String prompt = "Once upon a time, Tom found a box";
            for (Sampling s : List.of(Sampling.greedy(40), new Sampling(40, 0.8, 0.9, 1234))) {
                LlmResponse expected = local.complete(new LlmRequest("test", prompt, s));
                LlmResponse whole = remote.complete(new LlmRequest("test", prompt, s));
                assertEquals(expected.text(), whole.text(), s.toString());
                assertEquals(expected.promptTokens(), whole.promptTokens());
                assertEquals(expected.outputTokens(), whole.outputTokens());
                StringBuilder pieces = new StringBuilder();
                LlmResponse streamed = remote.complete(new LlmRequest("test", prompt, s, pieces::append));
                assertEquals(expected.text(), streamed.text(), s.toString());
                assertEquals(expected.text(), pieces.toString());
                assertFalse(expected.text().isEmpty());
            }
            // the server's refusals reach the caller as one LlmException naming the endpoint
            LlmException e = assertThrows(LlmException.class, () -> remote.complete(new LlmRequest("test", "x", Sampling.greedy(100_000))));
            assertTrue(e.getMessage().contains("#stories") && e.getMessage().contains("max_tokens"), e.getMessage());
        }
    }
}

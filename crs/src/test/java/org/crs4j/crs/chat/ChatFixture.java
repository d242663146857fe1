package org.crs4j.crs.chat;

import java.io.IOException;
import java.nio.file.Path;
import org.crs4j.crs.llm.FakeChatServer;
import org.crs4j.crs.llm.FakeChatServer.Reply;
import org.crs4j.crs.llmcrs.LlmcrsFixture;
import org.crs4j.crs.rec.RecData;
import org.crs4j.crs.rec.RecSettings;
import org.crs4j.crs.rec.RecTrainer;
import org.crs4j.crs.rec.TrainingListener;
import org.crs4j.data.prepare.Progress;

/**
 * What the chat's tests share: the LLMCRS fixture dataset (five films) with a full causal recommender trained on it
 * in about a second, and an OpenAI-compatible endpoint that answers LLMCRS's stages as a capable LLM would, the
 * response streamed in pieces.
 */
public final class ChatFixture {
    /** The response the scripted LLM streams, and its pieces. */
    public static final String[] ANSWER_PIECES = {"You should ", "watch Alien (1979), ", "a horror classic ", "with a great cast."};
    public static final String ANSWER = String.join("", ANSWER_PIECES);

    private ChatFixture() {}

    /** Writes the dataset into {@code data} and trains the recommender into {@code model}. */
    public static void prepare(Path data, Path cache, Path model) throws IOException {
        LlmcrsFixture.write(data);
        RecData spec = new RecData("inspired", null, null);
        var prepared = spec.obtain(data, cache, Progress.NONE);
        RecTrainer.train(RecSettings.forVariant("full", "inspired").withMaxEpochs(2), spec, prepared, model, TrainingListener.NONE);
    }

    public static ChatSetup.Assembled assemble(Path data, Path cache, Path model, String llm) throws IOException {
        return ChatSetup.assemble(new ChatSetup.Options(model, null, llm, llm == null, data, cache), TrainingListener.NONE, Progress.NONE, note -> {});
    }

    /**
     * An LLM endpoint: detection answers {@code Recommendation(category=horror)}, matching {@code causal-full}, and the
     * response streams {@link #ANSWER_PIECES} {@code millisBetween} apart (or comes whole when the request does not stream).
     */
    public static FakeChatServer llm(long millisBetween) throws IOException {
        return new FakeChatServer(body -> {
            if (body.contains("to detect which sub-task")) return Reply.content("Recommendation(category=horror) -> Item");
            if (body.contains("select the most appropriate expert")) return Reply.content("causal-full");
            if (!body.contains("\"stream\":true")) return Reply.content(ANSWER);
            String[] events = new String[ANSWER_PIECES.length + 1];
            for (int i = 0; i < ANSWER_PIECES.length; i++)
                events[i] = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + ANSWER_PIECES[i] + "\"}}]}";
            events[ANSWER_PIECES.length] = "[DONE]";
            return Reply.events(millisBetween, events);
        });
    }
}

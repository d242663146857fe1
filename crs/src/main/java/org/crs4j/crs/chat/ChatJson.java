package org.crs4j.crs.chat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.TurnJson;
import org.crs4j.crs.llmcrs.TurnResult;

/**
 * A chat turn as the server's {@code POST /v1/crs/turn} answers it and the web page reads it: {@link TurnJson}'s
 * {@code response}, {@code items} and {@code trace}, plus {@code mode} ({@code llmcrs} or {@code w/o-llm}),
 * {@code expert_output_as_answer} (true when the answer is an expert's output, not generated),
 * {@code cards} ({@code title, year, genres, why} for the first items), and what the user's last message named:
 * {@code linked} (catalogue titles) and {@code unknown_titles}.
 */
public final class ChatJson {
    private ChatJson() {}

    /** @param context the dialogue the turn answered: the cards' reasons point to what it mentions */
    public static ObjectNode of(TurnResult r, CrsSystem crs, Conversation context, NamedTitles.Result named, int maxItems, int maxCards) {
        var env = crs.environment();
        ObjectNode root = TurnJson.of(r, env, maxItems);
        root.put("mode", crs.mode().label());
        boolean expertText = crs.mode() == CrsSystem.Mode.EXPERTS_ONLY
                || r.trace().fallbacks().stream().anyMatch(f -> f.kind().name().startsWith("RESPONSE_"));
        root.put("expert_output_as_answer", expertText);
        ArrayNode cards = root.putArray("cards");
        for (CrsSystem.Card c : crs.cards(r, context, maxCards)) {
            ObjectNode o = cards.addObject().put("key", c.key()).put("title", c.title());
            if (c.year() > 0) o.put("year", c.year());
            else o.putNull("year");
            ArrayNode g = o.putArray("genres");
            c.genres().forEach(g::add);
            o.put("why", c.why());
        }
        ArrayNode linked = root.putArray("linked");
        named.linked().forEach(i -> linked.add(env.title(i)));
        ArrayNode unknown = root.putArray("unknown_titles");
        named.unknown().forEach(unknown::add);
        return root;
    }
}

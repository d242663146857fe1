package org.crs4j.crs.llmcrs;

import java.util.StringJoiner;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedTurn;

/**
 * The dialogue context as prompts show it: one line per turn, {@code User: } for the seeker and {@code System: } for
 * the recommender (seed 000's case study writes U: and S:), ReDial's {@code @id} mentions as titles, each turn cut to
 * its first {@code maxWords} words (long INSPIRED turns would otherwise crowd a 512-token window).
 */
public final class ContextText {
    private ContextText() {}

    public static String render(Conversation c, int lastTurns, int maxWords, Environment env) {
        if (c.isEmpty()) return "(the dialogue has not started)";
        StringJoiner j = new StringJoiner("\n");
        for (PreparedTurn t : c.last(lastTurns).turns()) j.add((t.role() == Role.SEEKER ? "User: " : "System: ") + clip(env.text(t), maxWords));
        return j.toString();
    }

    static String clip(String text, int maxWords) {
        String t = text.strip().replaceAll("\\s+", " ");
        String[] words = t.split(" ");
        if (words.length <= maxWords) return t;
        return String.join(" ", java.util.Arrays.copyOf(words, maxWords)) + " ...";
    }
}

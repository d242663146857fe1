package org.crs4j.crs.llm.rerank;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.crs4j.data.model.ItemCatalogue;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedTurn;
import org.crs4j.data.redial.RedialConversationReader;

/** A prepared conversation as a prompt shows it: "User: …" / "Recommender: …" lines, movie mentions as titles. */
public final class ConversationText {
    private ConversationText() {}

    /**
     * One line per turn; ReDial's {@code @id} mentions become "Title (Year)" (an id the catalogue lacks becomes
     * "a movie").
     *
     * @param last how many of the last turns to keep (0 = all)
     */
    public static List<String> lines(List<PreparedTurn> turns, ItemCatalogue items, int last) {
        int from = last <= 0 ? 0 : Math.max(0, turns.size() - last);
        List<String> out = new ArrayList<>(turns.size() - from);
        for (PreparedTurn t : turns.subList(from, turns.size())) out.add(speaker(t.role()) + ": " + text(t.text(), items));
        return out;
    }

    /** A turn's text with its movie mentions written as titles. */
    public static String text(String text, ItemCatalogue items) {
        if (text.indexOf('@') < 0) return text.strip();
        Matcher m = RedialConversationReader.MENTION.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            int i = items.indexOf(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(i < 0 ? "a movie" : items.get(i).title()));
        }
        m.appendTail(sb);
        return sb.toString().strip();
    }

    static String speaker(Role role) {
        return role == Role.SEEKER ? "User" : "Recommender";
    }
}

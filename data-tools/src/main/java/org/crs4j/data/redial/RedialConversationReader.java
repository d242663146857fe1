package org.crs4j.data.redial;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.crs4j.data.io.DataFile;
import org.crs4j.data.io.Json;
import org.crs4j.data.io.ReadReport;
import org.crs4j.data.model.Dialogue;
import org.crs4j.data.model.Role;
import org.crs4j.data.model.Turn;

/**
 * The ReDial JSON Lines schema (Li et al. 2018), one conversation per line: {@code conversationId},
 * {@code initiatorWorkerId}, {@code respondentWorkerId}, {@code movieMentions}, and {@code messages} of
 * {@code {senderWorkerId, text}}; movies appear in the text as {@code @<movieId>}. The initiator is the seeker.
 * CFCRS's re-processed files keep this schema (with merged turns and extra fields, which are ignored).
 */
public final class RedialConversationReader {
    /** A movie mention in ReDial text. */
    public static final Pattern MENTION = Pattern.compile("@(\\d+)");

    private RedialConversationReader() {}

    public static List<Dialogue> read(DataFile file, ReadReport report) {
        List<Dialogue> out = new ArrayList<>();
        forEach(file, report, out::add);
        report.requireRecords(file, out.size(), "conversations");
        return out;
    }

    public static void forEach(DataFile file, ReadReport report, Consumer<Dialogue> sink) {
        Json.forEachLine(file, report, (node, at) -> sink.accept(parse(node, at)));
    }

    static Dialogue parse(JsonNode conv, Json.At at) {
        String id = Json.idText(conv, "conversationId", at, "");
        int initiator = Json.integer(conv, "initiatorWorkerId", at, "");
        int respondent = Json.integer(conv, "respondentWorkerId", at, "");
        JsonNode mentions = conv.get("movieMentions");
        if (mentions != null && !mentions.isObject() && !mentions.isArray() && !mentions.isNull())
            throw at.error("movieMentions", "expected an object, got " + Json.kind(mentions));
        JsonNode messages = Json.array(conv, "messages", at, "");
        List<Turn> turns = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            String path = "messages[" + i + "]";
            JsonNode m = messages.get(i);
            if (!m.isObject()) throw at.error(path, "expected an object, got " + Json.kind(m));
            int sender = Json.integer(m, "senderWorkerId", at, path);
            Role role;
            if (sender == initiator) role = Role.SEEKER;
            else if (sender == respondent) role = Role.RECOMMENDER;
            else throw at.error(path + ".senderWorkerId", "worker " + sender + " is neither the initiator ("
                    + initiator + ") nor the respondent (" + respondent + ")");
            String text = Json.text(m, "text", at, path);
            turns.add(new Turn(role, text, mentionedMovies(text), List.of()));
        }
        return at.dialogue(id, turns, "messages");
    }

    /** The movie ids mentioned as {@code @id}, each once, in order of first appearance. */
    public static List<String> mentionedMovies(String text) {
        if (text.indexOf('@') < 0) return List.of();
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        Matcher m = MENTION.matcher(text);
        while (m.find()) ids.add(m.group(1));
        return List.copyOf(ids);
    }
}

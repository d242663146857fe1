package org.crs4j.crs.llmcrs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.tensor.io.AtomicFiles;

/**
 * One evaluated LLMCRS turn as {@code crs4j eval llmcrs --turns FILE} writes it (JSON Lines), so that two runs on the
 * same samples compare turn by turn with a paired test: what the controller decided, the reply and the reference, and
 * the turn's figures.
 *
 * @param hit10  HIT@10 of the turn (share of its targets within the top 10, what RLPF rewards)
 * @param bleu1  CRSLab BLEU-1 of the reply
 * @param bleu2  CRSLab BLEU-2 of the reply
 * @param parsed false when the controller's text could not be read (a counted fallback)
 */
public record TurnRecord(String dialogue, int turn, String subTask, String expert, String response, String reference, boolean parsed,
                         double hit10, double bleu1, double bleu2) {

    public String key() {
        return dialogue + "#" + turn;
    }

    /** RLPF's reward of the turn (seed 000 Eq. 2; 0 when unparsed). */
    public double reward(double lambda) {
        return parsed ? lambda * hit10 + (1 - lambda) * bleu1 : 0;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void write(Path file, List<TurnRecord> records) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (TurnRecord r : records) {
            ObjectNode o = JSON.createObjectNode();
            o.put("dialogue", r.dialogue).put("turn", r.turn).put("subtask", r.subTask).put("expert", r.expert).put("response", r.response)
                    .put("reference", r.reference).put("parsed", r.parsed).put("hit@10", r.hit10).put("bleu-1", r.bleu1).put("bleu-2", r.bleu2);
            sb.append(JSON.writeValueAsString(o)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /** Reads a turns file; a malformed line is named by file and line. */
    public static List<TurnRecord> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
        List<TurnRecord> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String where = file + ": line " + (i + 1) + ": ";
            try {
                JsonNode n = JSON.readTree(lines.get(i));
                for (String f : List.of("dialogue", "turn", "parsed", "hit@10", "bleu-1", "bleu-2"))
                    if (n.get(f) == null) throw new IllegalArgumentException(where + "field " + f + ": missing");
                out.add(new TurnRecord(n.get("dialogue").asText(), n.get("turn").asInt(), text(n, "subtask"), text(n, "expert"), text(n, "response"),
                        text(n, "reference"), n.get("parsed").asBoolean(), number(where, n, "hit@10"), number(where, n, "bleu-1"), number(where, n, "bleu-2")));
            } catch (IOException e) {
                throw new IllegalArgumentException(where + "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no turns");
        return out;
    }

    private static String text(JsonNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static double number(String where, JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) throw new IllegalArgumentException(where + "field " + f + ": expected a number in [0, 1], got " + v);
        return v.asDouble();
    }
}

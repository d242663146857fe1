package org.crs4j.crs.llmcrs.experts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.SubTask;
import org.crs4j.crs.llmcrs.SubTaskCall;
import org.crs4j.data.itemdb.ItemRecord;
import org.crs4j.data.model.Item;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedTurn;

/**
 * The JSON that HTTP experts speak (both sides: {@link HttpExpert} and {@link ExpertHttpHandler}, and any server that
 * wants to be an LLMCRS expert). One {@code POST} to the expert's URL:
 * <pre>
 * request:  {"subtask": "recommendation", "arguments": {"category": "horror"},
 *            "context": [{"role": "seeker", "text": "I loved The Shining (1980)", "items": [{"key": "2012", "title": "The Shining (1980)"}]}]}
 * response: {"output": "1. It (2017) ...", "items": [{"key": "96", "title": "It (2017)"}]}
 * </pre>
 * {@code subtask} is a Table 1 id; {@code context} the turns so far, oldest first ({@code role} seeker or
 * recommender; {@code items} optional, each with the dataset's item {@code key} and/or {@code title}). In a response,
 * {@code output} is required, {@code items} optional and ranked best first; an item is resolved by key in the local
 * catalogue, else by title (name and year); unresolved items are dropped and noted.
 */
public final class ExpertProtocol {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Bodies above this are refused on both sides. */
    public static final int MAX_BODY_BYTES = 1 << 20;

    private ExpertProtocol() {}

    public static byte[] request(ExpertRequest r, Environment env) {
        ObjectNode root = JSON.createObjectNode();
        root.put("subtask", r.call().task().id());
        ObjectNode args = root.putObject("arguments");
        r.call().arguments().forEach(args::put);
        ArrayNode ctx = root.putArray("context");
        for (PreparedTurn t : r.context().turns()) {
            ObjectNode turn = ctx.addObject();
            turn.put("role", t.role().name().toLowerCase(Locale.ROOT));
            turn.put("text", env.text(t));
            items(turn.putArray("items"), t.items(), env);
        }
        return bytes(root);
    }

    public static byte[] response(ExpertOutput out, Environment env) {
        ObjectNode root = JSON.createObjectNode();
        root.put("output", out.text());
        items(root.putArray("items"), out.items(), env);
        return bytes(root);
    }

    /** A request as a server reads it; {@link IllegalArgumentException} names the field that is wrong. */
    public static ExpertRequest parseRequest(byte[] body, Environment env) {
        JsonNode root = tree(body, "request");
        SubTask task = SubTask.find(text(root, "subtask")).orElseThrow(() -> new IllegalArgumentException(
                "subtask: unknown sub-task \"" + root.get("subtask").asText() + "\""));
        Map<String, String> args = new LinkedHashMap<>();
        JsonNode a = root.get("arguments");
        if (a != null && !a.isNull()) {
            if (!a.isObject()) throw new IllegalArgumentException("arguments: expected an object");
            a.properties().forEach(e -> args.put(e.getKey(), e.getValue().asText()));
        }
        List<PreparedTurn> turns = new ArrayList<>();
        JsonNode ctx = root.get("context");
        if (ctx != null && !ctx.isNull()) {
            if (!ctx.isArray()) throw new IllegalArgumentException("context: expected an array of turns");
            for (int i = 0; i < ctx.size(); i++) {
                JsonNode t = ctx.get(i);
                if (!t.isObject()) throw new IllegalArgumentException("context[" + i + "]: expected an object");
                Role role;
                try {
                    role = Role.parse(text(t, "role"));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("context[" + i + "].role: " + e.getMessage());
                }
                PreparedTurn linked = env.turn(role, text(t, "text"));
                var resolved = resolve(t.get("items"), env, new ArrayList<>());
                if (resolved.length > 0) {
                    var items = new it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet(linked.items());
                    var entities = new it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet(linked.entities());
                    for (int item : resolved) {
                        items.add(item);
                        if (env.data().itemEntity()[item] >= 0) entities.add(env.data().itemEntity()[item]);
                    }
                    linked = new PreparedTurn(role, linked.text(), items.toIntArray(), entities.toIntArray());
                }
                turns.add(linked);
            }
        }
        return new ExpertRequest(new SubTaskCall(task, args), new Conversation(turns));
    }

    /** A response as a client reads it; {@link IllegalArgumentException} names what is wrong. */
    public static ExpertOutput parseResponse(byte[] body, Environment env) {
        JsonNode root = tree(body, "response");
        String output = text(root, "output");
        List<String> notes = new ArrayList<>();
        int[] items = resolve(root.get("items"), env, notes);
        return new ExpertOutput(output, items, notes);
    }

    private static int[] resolve(JsonNode items, Environment env, List<String> notes) {
        IntArrayList out = new IntArrayList();
        if (items == null || items.isNull()) return new int[0];
        if (!items.isArray()) throw new IllegalArgumentException("items: expected an array");
        int dropped = 0;
        for (JsonNode it : items) {
            int index = -1;
            if (it.hasNonNull("key")) index = env.data().items().indexOf(it.get("key").asText());
            if (index < 0 && it.hasNonNull("title") && env.db() != null) {
                var ny = org.crs4j.data.model.Titles.split(it.get("title").asText());
                List<ItemRecord> found = env.db().findByName(ny.name(), ny.year());
                if (!found.isEmpty()) index = found.getFirst().index();
            }
            if (index >= 0) { if (!out.contains(index)) out.add(index); }
            else dropped++;
        }
        if (dropped > 0) notes.add(dropped + " item(s) not in the catalogue were dropped");
        return out.toIntArray();
    }

    private static void items(ArrayNode array, int[] items, Environment env) {
        for (int i : items) {
            Item item = env.item(i);
            ObjectNode o = array.addObject();
            o.put("key", item.key());
            o.put("title", item.title());
        }
    }

    private static JsonNode tree(byte[] body, String what) {
        if (body.length > MAX_BODY_BYTES) throw new IllegalArgumentException(what + " body of " + body.length + " bytes is over the limit of " + MAX_BODY_BYTES);
        if (body.length == 0) throw new IllegalArgumentException("empty " + what + " body");
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(what + " is not valid JSON: " + oneLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(what + " is not a JSON object");
        return root;
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException(field + ": missing");
        if (!v.isTextual()) throw new IllegalArgumentException(field + ": expected a string");
        return v.textValue();
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String oneLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}

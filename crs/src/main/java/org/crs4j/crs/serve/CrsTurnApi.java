package org.crs4j.crs.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.crs4j.crs.chat.ChatJson;
import org.crs4j.crs.chat.CrsSystem;
import org.crs4j.crs.chat.NamedTitles;
import org.crs4j.crs.llmcrs.Conversation;
import org.crs4j.crs.llmcrs.TurnResult;
import org.crs4j.data.model.Role;
import org.crs4j.data.prepare.PreparedTurn;

/**
 * {@code POST /v1/crs/turn}: the conversational recommender's next turn after the dialogue so far.
 * <pre>
 * request:  {"messages": [{"role": "user", "content": "I loved The Shining (1980)"}, {"role": "assistant", ...}, ...],
 *            "stream": false, "max_items": 10}
 * response: ChatJson: {"response", "items", "trace", "mode", "cards", "linked", "unknown_titles", ...}
 * stream:   server-sent events {"delta": "text"} as the answer is produced, then {"turn": ChatJson}, then [DONE]
 * </pre>
 * {@code POST /v1/crs/link} tells what a message names without running a turn (the page, as the user types), and
 * {@code GET /v1/crs/info} what answers (dataset, recommender, LLM).
 * The server is stateless: a client sends the whole dialogue each time (the web page keeps it). Bounds: the server's
 * body limit; at most {@value #MAX_MESSAGES} messages of {@value #MAX_CHARS} characters; {@code --batch} turns at
 * once (one with an LLM in this process) and {@code --queue} waiting (beyond: 429 with Retry-After); {@code --timeout} per turn (504). A turn cannot be
 * interrupted once it runs: one that times out keeps its slot until it ends, so the bound on concurrent work holds.
 */
public final class CrsTurnApi {
    public static final int MAX_MESSAGES = 200, MAX_CHARS = 4000, MAX_ITEMS = 50, CARDS = 5;
    private static final Set<String> FIELDS = Set.of("messages", "stream", "max_items");
    private static final Set<String> MESSAGE = Set.of("role", "content");

    private final CrsSystem crs;
    private final ServeLimits limits;
    private final Semaphore admitted, running;

    public CrsTurnApi(CrsSystem crs, ServeLimits limits) {
        this.crs = crs;
        this.limits = limits;
        int slots = crs.servesConcurrentTurns() ? limits.maxBatch() : 1;
        this.admitted = new Semaphore(slots + limits.maxQueue());
        this.running = new Semaphore(slots);
    }

    public ApiServer install(ApiServer server) {
        server.route("POST", "/v1/crs/turn", this::turn);
        server.route("GET", "/v1/crs/info", this::info);
        server.route("POST", "/v1/crs/link", this::link);
        return server;
    }

    /** The parsed request. */
    record TurnRequest(List<PreparedTurn> dialogue, String lastUserText, boolean stream, int maxItems) {}

    /** Reads and checks a request; every problem is a 400 naming the field. */
    TurnRequest parse(JsonNode body) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw ApiError.invalid(OpenAiRequests.clip(f), "Unrecognized request argument supplied: " + OpenAiRequests.clip(f));
        }
        JsonNode ms = body.get("messages");
        if (ms == null || !ms.isArray()) throw ApiError.invalid("messages", "messages: expected an array of {role, content}, got "
                + (ms == null ? "nothing" : OpenAiRequests.kind(ms)));
        if (ms.isEmpty()) throw ApiError.invalid("messages", "messages: empty; the last message must be the user's");
        if (ms.size() > MAX_MESSAGES) throw ApiError.invalid("messages", "messages: " + ms.size() + " messages, at most " + MAX_MESSAGES);
        List<PreparedTurn> dialogue = new ArrayList<>();
        var env = crs.environment();
        String lastUser = null;
        for (int i = 0; i < ms.size(); i++) {
            JsonNode m = ms.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) throw ApiError.invalid(at, at + ": expected an object, got " + OpenAiRequests.kind(m));
            for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!MESSAGE.contains(f)) throw ApiError.invalid(at + "." + OpenAiRequests.clip(f), "Unrecognized request argument supplied: " + at + "." + OpenAiRequests.clip(f));
            }
            JsonNode role = m.get("role"), content = m.get("content");
            if (role == null || !role.isTextual()) throw ApiError.invalid(at + ".role", at + ".role: expected \"user\" or \"assistant\"");
            if (content == null || !content.isTextual()) throw ApiError.invalid(at + ".content", at + ".content: expected a string");
            if (content.textValue().length() > MAX_CHARS)
                throw ApiError.invalid(at + ".content", at + ".content: " + content.textValue().length() + " characters, at most " + MAX_CHARS);
            Role r = switch (role.textValue()) {
                case "user" -> Role.SEEKER;
                case "assistant" -> Role.RECOMMENDER;
                default -> throw ApiError.invalid(at + ".role", at + ".role: \"" + OpenAiRequests.clip(role.textValue()) + "\" is not a role here (user or assistant)");
            };
            dialogue.add(r == Role.SEEKER ? NamedTitles.of(r, content.textValue(), env).turn() : env.turn(r, content.textValue()));
            if (r == Role.SEEKER) lastUser = content.textValue();
        }
        if (dialogue.getLast().role() != Role.SEEKER)
            throw ApiError.invalid("messages", "messages: the last message must be the user's (the turn answers it)");
        if (lastUser.isBlank()) throw ApiError.invalid("messages[" + (ms.size() - 1) + "].content", "the user's message is empty");
        JsonNode st = body.get("stream");
        if (st != null && !st.isBoolean()) throw ApiError.invalid("stream", "stream: expected a boolean, got " + OpenAiRequests.kind(st));
        JsonNode mi = body.get("max_items");
        int maxItems = 10;
        if (mi != null) {
            if (!mi.isIntegralNumber() || mi.asLong() < 1 || mi.asLong() > MAX_ITEMS)
                throw ApiError.invalid("max_items", "max_items: expected an integer in 1.." + MAX_ITEMS);
            maxItems = mi.asInt();
        }
        return new TurnRequest(dialogue, lastUser, st != null && st.booleanValue(), maxItems);
    }

    private void turn(Exchange ex) throws Exception {
        TurnRequest req = parse(ex.jsonBody());
        if (!admitted.tryAcquire()) throw ApiError.busy(5, "every CRS turn slot and queue place is taken; retry later");
        try {
            long deadline = System.nanoTime() + limits.requestTimeout().toNanos();
            if (!running.tryAcquire(limits.requestTimeout().toNanos(), TimeUnit.NANOSECONDS))
                throw ApiError.timeout("the turn waited " + limits.requestTimeout().toSeconds() + " s for a free slot");
            Exchange.EventStream events;
            try {
                events = req.stream() ? ex.startEvents() : null;
            } catch (RuntimeException e) {
                running.release();
                throw e;
            }
            AtomicBoolean gone = new AtomicBoolean();
            CompletableFuture<ObjectNode> result = new CompletableFuture<>();
            // the turn runs on its own virtual thread so that the request can give up at its deadline
            Thread.ofVirtual().name("crs-turn").start(() -> {
                try {
                    result.complete(answer(req, events, gone));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                } finally {
                    running.release();
                }
            });
            ObjectNode json;
            try {
                json = result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                gone.set(true); // no more deltas: the error event is the stream's last
                throw ApiError.timeout("the turn took longer than " + limits.requestTimeout().toSeconds() + " s");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw ApiError.internal("the turn failed: " + (c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().lines().findFirst().orElse("")));
            }
            if (events == null) ex.sendJson(200, json);
            else if (!gone.get()) {
                events.send(OpenAiRequests.JSON.createObjectNode().set("turn", json));
                events.done();
            }
        } finally {
            admitted.release();
        }
    }

    private ObjectNode answer(TurnRequest req, Exchange.EventStream events, AtomicBoolean gone) {
        Conversation dialogue = new Conversation(req.dialogue());
        NamedTitles.Result named = NamedTitles.of(Role.SEEKER, req.lastUserText(), crs.environment());
        TurnResult r = crs.turn(dialogue, events == null ? null : piece -> {
            if (gone.get()) return;
            try {
                events.send(OpenAiRequests.JSON.createObjectNode().put("delta", piece));
            } catch (IOException e) {
                gone.set(true); // the client left; the turn ends on its own, bounded
            }
        });
        // the cards' reasons are what the user said, not what this answer said
        return ChatJson.of(r, crs, dialogue, named, req.maxItems(), CARDS);
    }

    /**
     * {@code POST /v1/crs/link} {@code {"text": "..."}} → {@code {"linked": [titles], "unknown_titles": [...]}}: what a
     * message would name, for the page to show while the user types. Cheap (no model runs), bounded like a message.
     */
    private void link(Exchange ex) throws IOException {
        JsonNode body = ex.jsonBody();
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("text")) throw ApiError.invalid(OpenAiRequests.clip(f), "Unrecognized request argument supplied: " + OpenAiRequests.clip(f));
        }
        JsonNode text = body.get("text");
        if (text == null || !text.isTextual()) throw ApiError.invalid("text", "text: expected a string");
        if (text.textValue().length() > MAX_CHARS) throw ApiError.invalid("text", "text: " + text.textValue().length() + " characters, at most " + MAX_CHARS);
        var env = crs.environment();
        NamedTitles.Result named = NamedTitles.of(Role.SEEKER, text.textValue(), env);
        ObjectNode o = OpenAiRequests.JSON.createObjectNode();
        var linked = o.putArray("linked");
        named.linked().forEach(i -> linked.add(env.title(i)));
        var unknown = o.putArray("unknown_titles");
        named.unknown().forEach(unknown::add);
        ex.sendJson(200, o);
    }

    /** What the page shows in its header: dataset, mode, recommender, LLM. */
    private void info(Exchange ex) throws IOException {
        var env = crs.environment();
        ObjectNode o = OpenAiRequests.JSON.createObjectNode();
        o.put("dataset", env.data().name()).put("items", env.data().items().size()).put("mode", crs.mode().label())
                .put("recommender", crs.recommendationExpert());
        if (crs.llmEndpoint() == null) o.putNull("llm");
        else o.put("llm", crs.llmEndpoint());
        ex.sendJson(200, o);
    }
}

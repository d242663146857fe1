package org.crs4j.crs.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.generation.GenerationConfig;

/**
 * OpenAI's endpoints over the models loaded at start: {@code GET /v1/models}, {@code POST /v1/chat/completions},
 * {@code POST /v1/completions}, answered whole or as server-sent events in OpenAI's chunk format.
 *
 * <p>Decoding settings a request leaves out take the model's generation defaults (its generation_config.json, else
 * greedy), as vLLM does, not OpenAI's temperature 1; {@code max_tokens} defaults to 16 for completions (OpenAI's
 * default) and to what the context leaves (capped by {@link ServeLimits#maxTokens()}) for chat. With n > 1, choice k
 * samples with seed + k. {@code usage.completion_tokens} counts every generated token, the stop token included.
 */
public final class OpenAiApi {
    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final ServeLimits limits;

    public OpenAiApi(List<ServedModel> served, ServeLimits limits) {
        for (ServedModel m : served) {
            if (models.putIfAbsent(m.name(), m) != null) throw new IllegalArgumentException("two models are named " + m.name() + ": give them --name");
        }
        this.limits = limits;
    }

    /** Adds the three endpoints to a server. */
    public ApiServer install(ApiServer server) {
        return server.route("GET", "/v1/models", this::listModels)
                .route("POST", "/v1/chat/completions", ex -> generate(ex, true))
                .route("POST", "/v1/completions", ex -> generate(ex, false));
    }

    private void listModels(Exchange ex) throws IOException {
        ObjectNode root = OpenAiRequests.JSON.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (ServedModel m : models.values()) {
            data.addObject().put("id", m.name()).put("object", "model").put("created", m.created()).put("owned_by", "crs4j");
        }
        ex.sendJson(200, root);
    }

    /** A model by the name a request gives: only the loaded models are looked up, never a path or a Hub id. */
    ServedModel model(String name) {
        ServedModel m = models.get(name);
        if (m == null) {
            throw ApiError.modelNotFound(name, "The model '" + OpenAiRequests.clip(name) + "' does not exist on this server; it serves "
                    + String.join(", ", models.keySet()) + " (GET /v1/models)");
        }
        return m;
    }

    private void generate(Exchange ex, boolean chat) throws Exception {
        JsonNode body = ex.jsonBody();
        GenerationRequest req = chat ? OpenAiRequests.chat(body) : OpenAiRequests.completion(body);
        ServedModel served = model(req.model());
        GenerationJob job = job(served, req);
        served.engine().submit(job);
        ex.onClientGone(job::cancel);
        Reply reply = new Reply(ex, req, served, job);
        try {
            reply.run();
        } finally {
            job.cancel(); // whatever happened, the rows stop and free their slots
        }
    }

    /** Encodes the prompts, checks them against the context and builds one row per choice. */
    GenerationJob job(ServedModel served, GenerationRequest req) {
        LanguageModel lm = served.model();
        List<int[]> prompts = new ArrayList<>();
        if (req.chat()) {
            prompts.add(lm.encodePrompt(served.chatFormat().render(req.messages())));
        } else {
            int vocab = lm.decoder().vocabSize();
            for (GenerationRequest.Prompt p : req.prompts()) {
                if (p.text() != null) {
                    prompts.add(lm.encodePrompt(p.text()));
                } else {
                    for (int id : p.ids()) {
                        if (id >= vocab) throw ApiError.invalid("prompt", "token id " + id + " is outside the vocabulary of " + served.name() + " (" + vocab + " ids)");
                    }
                    prompts.add(p.ids());
                }
            }
        }
        int rowsNeeded = prompts.size() * req.n();
        if (rowsNeeded > limits.maxBatch()) {
            throw ApiError.invalid(req.chat() ? "n" : "prompt", "this request needs " + rowsNeeded + " generations (prompts x n), above"
                    + " this server's batch size of " + limits.maxBatch());
        }
        GenerationConfig base = lm.defaults().withBeams(1, 1).withStopTokens(served.stopTokens(req.chat()));
        if (req.temperature() != null) base = base.withTemperature(req.temperature());
        if (req.topP() != null) base = base.withTopP(req.topP());
        long seed = req.seed() != null ? req.seed() : ThreadLocalRandom.current().nextLong();
        List<String> stops = served.stopStrings(req.chat(), req.stop());
        int fallback = req.chat() ? limits.maxTokens() : 16;
        List<GenerationJob.Row> rows = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            int[] ids = prompts.get(p);
            String promptParam = req.chat() ? "messages" : "prompt";
            if (ids.length == 0) throw ApiError.invalid(promptParam, "the prompt encodes to no tokens (this model adds no BOS): give some text");
            int budget = limits.completionBudget(lm, ids.length, req.maxTokens(), fallback, req.maxTokensParam(), promptParam);
            for (int k = 0; k < req.n(); k++) {
                GenerationConfig cfg = base.withMaxNewTokens(budget).withSeed(seed + k);
                rows.add(new GenerationJob.Row(rows.size(), ids, cfg, lm.outputStream(ids), stops));
            }
        }
        return new GenerationJob(rows, System.nanoTime() + limits.requestTimeout().toNanos());
    }

    /** Reads the job's events and writes them as one JSON answer or as a stream of chunks. */
    private static final class Reply {
        private final Exchange ex;
        private final GenerationRequest req;
        private final ServedModel served;
        private final GenerationJob job;
        private final String id;
        private final long created = System.currentTimeMillis() / 1000;
        private final StringBuilder[] text;
        private final String[] finish;
        private int completionTokens;

        Reply(Exchange ex, GenerationRequest req, ServedModel served, GenerationJob job) {
            this.ex = ex;
            this.req = req;
            this.served = served;
            this.job = job;
            this.id = (req.chat() ? "chatcmpl-" : "cmpl-") + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            int n = job.rows().size();
            text = new StringBuilder[n];
            finish = new String[n];
            for (int i = 0; i < n; i++) text[i] = new StringBuilder();
        }

        void run() throws IOException, InterruptedException {
            Exchange.EventStream stream = req.stream() ? ex.startEvents() : null;
            if (stream != null && req.chat()) {
                for (int i = 0; i < text.length; i++) stream.send(chunk(i, delta("role", "assistant").put("content", ""), null));
            }
            int open = text.length;
            while (open > 0) {
                long left = job.deadlineNanos() - System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                GenerationJob.Event e = job.next(Math.max(left, 0), TimeUnit.NANOSECONDS);
                if (e == null) throw ApiError.timeout("generation ran past the server's time limit");
                switch (e) {
                    case GenerationJob.Text t -> {
                        if (stream != null) stream.send(chunk(t.row(), req.chat() ? delta("content", t.text()) : null, t.text()));
                        else text[t.row()].append(t.text());
                    }
                    case GenerationJob.Finished f -> {
                        finish[f.row()] = f.reason();
                        completionTokens += f.completionTokens();
                        open--;
                        if (stream != null) stream.send(finalChunk(f.row(), f.reason()));
                    }
                    case GenerationJob.Failed f -> throw f.error();
                }
            }
            if (stream != null) {
                if (req.includeUsage()) {
                    ObjectNode last = head(true);
                    last.putArray("choices");
                    last.set("usage", usage());
                    stream.send(last);
                }
                stream.done();
                return;
            }
            ObjectNode root = head(false);
            ArrayNode choices = root.putArray("choices");
            for (int i = 0; i < text.length; i++) {
                ObjectNode c = choices.addObject().put("index", i);
                if (req.chat()) c.putObject("message").put("role", "assistant").put("content", text[i].toString());
                else c.put("text", text[i].toString());
                c.putNull("logprobs");
                c.put("finish_reason", finish[i]);
            }
            root.set("usage", usage());
            ex.sendJson(200, root);
        }

        private ObjectNode head(boolean chunk) {
            ObjectNode o = OpenAiRequests.JSON.createObjectNode();
            o.put("id", id);
            o.put("object", req.chat() ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
            o.put("created", created);
            o.put("model", served.name());
            o.putNull("system_fingerprint");
            return o;
        }

        private static ObjectNode delta(String key, String value) {
            return OpenAiRequests.JSON.createObjectNode().put(key, value);
        }

        /** A streamed chunk for one choice: chat carries a delta, completions the text. */
        private ObjectNode chunk(int row, ObjectNode delta, String completionText) {
            ObjectNode o = head(true);
            ObjectNode c = o.putArray("choices").addObject().put("index", row);
            if (req.chat()) c.set("delta", delta);
            else c.put("text", completionText);
            c.putNull("logprobs");
            c.putNull("finish_reason");
            if (req.includeUsage()) o.putNull("usage");
            return o;
        }

        private ObjectNode finalChunk(int row, String reason) {
            ObjectNode o = chunk(row, req.chat() ? OpenAiRequests.JSON.createObjectNode() : null, "");
            ((ObjectNode) o.get("choices").get(0)).put("finish_reason", reason);
            return o;
        }

        /** Prompt tokens counted once per distinct prompt (n choices share theirs), as OpenAI counts them. */
        private ObjectNode usage() {
            int prompt = 0;
            for (int i = 0; i < job.rows().size(); i += req.n()) prompt += job.rows().get(i).promptTokens();
            return OpenAiRequests.JSON.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completionTokens)
                    .put("total_tokens", prompt + completionTokens);
        }
    }
}

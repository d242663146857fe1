package org.crs4j.crs.llmcrs.experts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.crs4j.crs.llmcrs.Environment;
import org.crs4j.crs.llmcrs.SubTask;

/**
 * The expert registry: which experts exist, the sub-task each serves, its description (seed 000 §3.2) and endpoint,
 * read from a JSON file so that adding an expert is an edit of that file. The format:
 * <pre>
 * {"experts": [{"id": "popularity", "subtask": "recommendation",
 *               "description": {"function": "...", "architecture": "...", "domain": "...", "licence": "..."},
 *               "endpoint": "local:popularity"},          // or "http://host:port/path"
 *              ...]}
 * </pre>
 * {@code "rec:MODEL_DIR"} loads a trained recommender ({@code crs4j train rec}; a relative path is taken from the
 * current folder) for the recommendation sub-task. An optional {@code "timeout_seconds"} bounds an HTTP expert's call (default 30). Loading checks everything and stops
 * at the first problem with one line naming the file, the entry and the field: invalid JSON, a missing or duplicate
 * id, an unknown sub-task, a missing description field, an endpoint that is neither {@code local:} nor
 * {@code http(s)://}, an unknown local expert, and (when probing) an HTTP endpoint that does not answer.
 */
public final class ExpertRegistry {
    /** The shipped registry (resource {@code experts.json}). */
    public static final String SHIPPED = "/org/crs4j/crs/llmcrs/experts.json";
    private static final double DEFAULT_TIMEOUT_SECONDS = 30;
    private static final List<String> DESCRIPTION_FIELDS = List.of("function", "architecture", "domain", "licence");

    /** A registry entry with its executable expert. */
    public record Registered(ExpertSpec spec, Expert expert) {
        public String id() { return spec.id(); }
    }

    private final String source;
    private final List<Registered> experts;
    private final Map<SubTask, List<Registered>> bySubTask;

    private ExpertRegistry(String source, List<Registered> experts) {
        this.source = source;
        this.experts = List.copyOf(experts);
        Map<SubTask, List<Registered>> m = new EnumMap<>(SubTask.class);
        for (SubTask t : SubTask.values()) m.put(t, new ArrayList<>());
        for (Registered r : experts) m.get(r.spec().subTask()).add(r);
        m.replaceAll((k, v) -> List.copyOf(v));
        this.bySubTask = m;
    }

    /** The shipped registry. */
    public static ExpertRegistry shipped(Environment env) {
        return resource(SHIPPED, env);
    }

    /**
     * The registry entry of seed 003's causal recommender (full variant), endpoint {@code local:causal-full}: for an
     * environment that holds a trained model ({@link Environment#withRecommender}), as the chat and the server put it
     * ahead of the shipped experts.
     */
    public static final String CAUSAL = "/org/crs4j/crs/llmcrs/experts-causal.json";

    /** A registry bundled as a class-path resource. */
    public static ExpertRegistry resource(String name, Environment env) {
        try (InputStream in = ExpertRegistry.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("the registry " + name + " is missing from the class path");
            return parse("(shipped) " + name.substring(name.lastIndexOf('/') + 1), in.readAllBytes(), env, false);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * This registry's experts after {@code first}'s: the first registered recommendation expert is the one w/o M and
     * the matching fallbacks use, so a caller puts its own model ahead of the shipped popularity baselines.
     *
     * @throws IllegalArgumentException when an id is in both
     */
    public ExpertRegistry after(ExpertRegistry first) {
        List<Registered> all = new ArrayList<>(first.experts);
        for (Registered r : experts) {
            if (first.find(r.id()).isPresent()) throw new IllegalArgumentException(first.source + " and " + source + ": both register \"" + r.id() + "\"");
            all.add(r);
        }
        return new ExpertRegistry(first.source + " + " + source, all);
    }

    /**
     * @param probe whether to check that every HTTP endpoint answers now
     * @throws IllegalArgumentException one line naming the file, entry and problem
     */
    public static ExpertRegistry load(Path file, Environment env, boolean probe) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the expert registry (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        return parse(file.toString(), bytes, env, probe);
    }

    static ExpertRegistry parse(String source, byte[] bytes, Environment env, boolean probe) {
        JsonNode root;
        try {
            root = ExpertProtocol.JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + ExpertProtocol.oneLine(e.getMessage()));
        }
        if (root == null || !root.isObject() || !root.has("experts") || !root.get("experts").isArray())
            throw new IllegalArgumentException(source + ": expected {\"experts\": [...]}");
        List<Registered> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        JsonNode list = root.get("experts");
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String where = source + ": experts[" + i + "]";
            if (!e.isObject()) throw new IllegalArgumentException(where + ": expected an object");
            String id = text(e, "id", where);
            where += " (" + id + ")";
            if (!id.matches("[A-Za-z0-9][A-Za-z0-9._\\-]*")) throw new IllegalArgumentException(where + ": id must be letters, digits, '.', '_' or '-'");
            if (!ids.add(id)) throw new IllegalArgumentException(where + ": duplicate id \"" + id + "\"");
            String st = text(e, "subtask", where);
            String at = where;
            SubTask subTask = SubTask.find(st).orElseThrow(() -> new IllegalArgumentException(at + ": unknown sub-task \"" + st
                    + "\" (known: " + String.join(", ", java.util.Arrays.stream(SubTask.values()).map(SubTask::id).toList()) + ")"));
            JsonNode d = e.get("description");
            if (d == null || !d.isObject()) throw new IllegalArgumentException(where + ": missing description (an object with " + String.join(", ", DESCRIPTION_FIELDS) + ")");
            String[] fields = new String[DESCRIPTION_FIELDS.size()];
            for (int k = 0; k < fields.length; k++) fields[k] = text(d, DESCRIPTION_FIELDS.get(k), where + ": description");
            ExpertDescription description = new ExpertDescription(fields[0], fields[1], fields[2], fields[3]);
            String endpoint = text(e, "endpoint", where);
            double timeout = DEFAULT_TIMEOUT_SECONDS;
            if (e.has("timeout_seconds")) {
                JsonNode t = e.get("timeout_seconds");
                if (!t.isNumber() || !(t.asDouble() > 0) || t.asDouble() > 3600)
                    throw new IllegalArgumentException(where + ": timeout_seconds must be a number in (0, 3600]");
                timeout = t.asDouble();
            }
            ExpertSpec spec = new ExpertSpec(id, subTask, description, endpoint, timeout);
            out.add(new Registered(spec, expert(spec, env, probe, where)));
        }
        return new ExpertRegistry(source, out);
    }

    private static Expert expert(ExpertSpec spec, Environment env, boolean probe, String where) {
        String endpoint = spec.endpoint();
        if (endpoint.startsWith("local:")) {
            try {
                return LocalExperts.create(endpoint.substring("local:".length()), spec.subTask(), env);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": endpoint " + endpoint + ": " + e.getMessage());
            }
        }
        if (endpoint.startsWith("rec:")) {
            if (spec.subTask() != SubTask.RECOMMENDATION)
                throw new IllegalArgumentException(where + ": endpoint " + endpoint + ": a trained recommender serves recommendation, not " + spec.subTask().id());
            Path dir = Path.of(endpoint.substring("rec:".length()));
            try {
                var rec = org.crs4j.crs.rec.CausalRecommender.load(dir, env.data());
                return new RecommendationExpert(rec, env, LocalExperts.LIST_SIZE, LocalExperts.SHOWN);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(where + ": endpoint " + endpoint + ": " + ExpertProtocol.oneLine(e.getMessage()));
            }
        }
        if (endpoint.startsWith("http://") || endpoint.startsWith("https://")) {
            URI uri;
            try {
                uri = URI.create(endpoint);
                if (uri.getHost() == null) throw new IllegalArgumentException("no host");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": endpoint " + endpoint + " is not a valid URL (" + e.getMessage() + ")");
            }
            Duration timeout = Duration.ofMillis((long) (spec.timeoutSeconds() * 1000));
            if (probe) {
                String problem = HttpExpert.probe(uri, Duration.ofSeconds(Math.min(5, Math.max(1, (long) spec.timeoutSeconds()))));
                if (problem != null) throw new IllegalArgumentException(where + ": endpoint " + endpoint + " " + problem);
            }
            return new HttpExpert(uri, timeout, env);
        }
        throw new IllegalArgumentException(where + ": endpoint \"" + endpoint + "\" must be local:NAME, rec:MODEL_DIR or an http(s):// URL");
    }

    private static String text(JsonNode o, String field, String where) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException(where + ": missing " + field);
        if (!v.isTextual() || v.textValue().isBlank()) throw new IllegalArgumentException(where + ": " + field + " must be a non-empty string");
        return v.textValue().strip();
    }

    public String source() { return source; }

    public List<Registered> all() { return experts; }

    /** The experts registered for a sub-task, in file order (the first is the matching fallback). */
    public List<Registered> candidates(SubTask t) { return bySubTask.get(t); }

    public Optional<Registered> find(String id) {
        return experts.stream().filter(r -> r.id().equals(id)).findFirst();
    }
}

package org.crs4j.crs.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How chat messages become one prompt for a model: per-role prefix and suffix, optional stripping of the content,
 * the text that invites the assistant's answer, and where the answer ends. Formats are data files
 * ({@code org/crs4j/crs/serve/chat/NAME.json}, or a file given with {@code --chat-format}), each the equivalent of a
 * family of Hugging Face chat templates; crs4j does not run Jinja.
 *
 * <p>Which format a model gets ({@link #forModel}): {@code --chat-format} when given; else, when the model folder ships
 * a chat template ({@code chat_template} in tokenizer_config.json, or chat_template.jinja / chat_template.json), the
 * bundled format whose marker strings all occur in it — and a template none of them recognises stops the server
 * with a line asking for {@code --chat-format}, rather than guessing; else {@code plain}, the labelled-lines format
 * for base models.
 */
public final class ChatFormat {
    /** The bundled formats, in the order they are tried against a shipped template. */
    public static final List<String> BUNDLED = List.of("chatml", "llama3", "llama2", "zephyr", "plain", "raw");

    private final String name;
    private final List<String> recognize;
    private final boolean trim;
    private final Map<String, Role> roles;
    private final Role systemInFirstUser;
    private final String generationPrompt;
    private final List<String> stops;

    private record Role(String firstPrefix, String prefix, String suffix) {}

    private ChatFormat(String name, JsonNode root, String source) {
        this.name = name;
        Fields f = new Fields(source);
        f.only(root, "", Set.of("about", "recognize", "trim_content", "roles", "system_in_first_user", "generation_prompt", "stop"));
        this.recognize = f.strings(root, "recognize");
        this.trim = f.bool(root, "trim_content");
        JsonNode rolesNode = root.get("roles");
        if (rolesNode == null || !rolesNode.isObject()) throw f.error("roles", "expected an object of role: {prefix, suffix}");
        f.only(rolesNode, "roles.", Set.of("system", "user", "assistant"));
        if (!rolesNode.has("user") || !rolesNode.has("assistant")) throw f.error("roles", "needs at least user and assistant");
        java.util.HashMap<String, Role> r = new java.util.HashMap<>();
        for (Iterator<String> it = rolesNode.fieldNames(); it.hasNext(); ) {
            String role = it.next();
            r.put(role, f.role(rolesNode.get(role), "roles." + role));
        }
        this.roles = Map.copyOf(r);
        this.systemInFirstUser = root.hasNonNull("system_in_first_user") ? f.role(root.get("system_in_first_user"), "system_in_first_user") : null;
        if (systemInFirstUser == null && !roles.containsKey("system")) {
            throw f.error("roles", "needs a system role, or system_in_first_user to fold the system message into the first user turn");
        }
        this.generationPrompt = f.string(root, "generation_prompt");
        this.stops = f.strings(root, "stop");
    }

    public String name() {
        return name;
    }

    /** Texts that end the assistant's answer: each is a stop token where the tokenizer has it as one piece, else a stop string. */
    public List<String> stops() {
        return stops;
    }

    /** The prompt text for messages (the model's own BOS/EOS handling is applied when it is encoded). */
    public String render(List<ChatMessage> messages) {
        StringBuilder out = new StringBuilder();
        String system = null;
        boolean firstUser = true;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            String content = trim ? m.content().strip() : m.content();
            if (m.role().equals("system") && systemInFirstUser != null) {
                system = system == null ? content : system + "\n\n" + content; // several system messages are joined
                continue;
            }
            Role role = roles.get(m.role());
            if (m.role().equals("user") && system != null) {
                content = systemInFirstUser.prefix() + system + systemInFirstUser.suffix() + content;
                system = null;
            }
            boolean first = seen.add(m.role());
            String prefix = first && role.firstPrefix() != null ? role.firstPrefix() : role.prefix();
            out.append(prefix).append(content).append(role.suffix());
            if (m.role().equals("user")) firstUser = false;
        }
        if (system != null) {
            // a system message with no user turn after it still reaches the model, as the start of an empty user turn
            Role user = roles.get("user");
            String prefix = firstUser && user.firstPrefix() != null ? user.firstPrefix() : user.prefix();
            out.append(prefix).append(systemInFirstUser.prefix()).append(system).append(systemInFirstUser.suffix()).append(user.suffix());
        }
        return out.append(generationPrompt).toString();
    }

    /** A bundled format by name. */
    public static ChatFormat bundled(String name) {
        if (!BUNDLED.contains(name)) throw new IllegalArgumentException("no chat format '" + name + "': use one of " + BUNDLED + " or a FILE");
        String resource = "chat/" + name + ".json";
        try (InputStream in = ChatFormat.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("chat format resource " + resource + " is missing from the jar");
            return new ChatFormat(name, new ObjectMapper().readTree(in), resource);
        } catch (IOException e) {
            throw new IllegalStateException("chat format resource " + resource + ": " + e.getMessage(), e);
        }
    }

    /** A bundled name, or a JSON file in the bundled formats' layout. */
    public static ChatFormat named(String nameOrFile) throws IOException {
        if (BUNDLED.contains(nameOrFile)) return bundled(nameOrFile);
        Path file = Path.of(nameOrFile);
        if (!Files.isRegularFile(file)) {
            throw new IOException("--chat-format " + nameOrFile + ": neither a bundled format " + BUNDLED + " nor a file");
        }
        try {
            JsonNode root = OpenAiRequests.JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) throw new IOException(file + ": expected a JSON object");
            String n = file.getFileName().toString().replaceFirst("\\.json$", "");
            return new ChatFormat(n, root, file.toString());
        } catch (JacksonException e) {
            throw new IOException(file + ": invalid JSON at line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
    }

    /** The format for a model folder (or file): see the class comment for the rule. */
    public static ChatFormat forModel(Path source) throws IOException {
        String template = shippedTemplate(source);
        if (template == null) return bundled("plain");
        for (String name : BUNDLED) {
            ChatFormat f = bundled(name);
            if (!f.recognize.isEmpty() && f.recognize.stream().allMatch(template::contains)) return f;
        }
        throw new IOException(source + ": ships a chat template that matches none of crs4j's chat formats " + BUNDLED
                + "; pass --chat-format NAME or a format FILE (see crs/README.md)");
    }

    /** The Jinja source of the model's chat template, or null when it ships none. */
    static String shippedTemplate(Path source) throws IOException {
        Path dir = Files.isDirectory(source) ? source : source.toAbsolutePath().getParent();
        if (dir == null) return null;
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) return Files.readString(jinja);
        for (String file : new String[] {"chat_template.json", "tokenizer_config.json"}) {
            Path p = dir.resolve(file);
            if (!Files.isRegularFile(p)) continue;
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(p.toFile());
            } catch (JacksonException e) {
                throw new IOException(p + ": invalid JSON: " + e.getOriginalMessage());
            }
            JsonNode t = root == null ? null : root.get("chat_template");
            if (t == null || t.isNull()) continue;
            if (t.isTextual()) return t.asText();
            if (t.isArray()) { // [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
                for (JsonNode e : t) if ("default".equals(e.path("name").asText())) return e.path("template").asText();
            }
            throw new IOException(p + ": chat_template: expected a string or a list with a 'default' template");
        }
        return null;
    }

    @Override
    public String toString() {
        return name;
    }

    /** Field access for format files, each error naming the file and the field. */
    private record Fields(String source) {
        IllegalArgumentException error(String field, String what) {
            return new IllegalArgumentException(source + ": " + field + ": " + what);
        }

        void only(JsonNode obj, String prefix, Set<String> known) {
            for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!known.contains(k)) throw error(prefix + k, "unknown field (known: " + known + ")");
            }
        }

        String string(JsonNode obj, String field) {
            JsonNode v = obj.get(field);
            if (v == null || !v.isTextual()) throw error(field, "expected a string");
            return v.asText();
        }

        boolean bool(JsonNode obj, String field) {
            JsonNode v = obj.get(field);
            if (v == null || !v.isBoolean()) throw error(field, "expected true or false");
            return v.asBoolean();
        }

        List<String> strings(JsonNode obj, String field) {
            JsonNode v = obj.get(field);
            if (v == null || !v.isArray()) throw error(field, "expected an array of strings");
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual() || e.asText().isEmpty()) throw error(field, "expected non-empty strings");
                out.add(e.asText());
            }
            return List.copyOf(out);
        }

        Role role(JsonNode r, String field) {
            if (r == null || !r.isObject()) throw error(field, "expected an object {prefix, suffix}");
            only(r, field + ".", Set.of("first_prefix", "prefix", "suffix"));
            String first = r.hasNonNull("first_prefix") ? string(r, "first_prefix") : null;
            return new Role(first, string(r, "prefix"), string(r, "suffix"));
        }
    }
}

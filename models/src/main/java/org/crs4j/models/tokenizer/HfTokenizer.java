package org.crs4j.models.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import org.crs4j.io.StrictJson;

import org.crs4j.models.tokenizer.HfAddedTokens.AddedToken;
import org.crs4j.models.tokenizer.HfAddedTokens.Segment;
import org.crs4j.models.tokenizer.HfPreTokenizers.Split;

/**
 * A Hugging Face {@code tokenizer.json} (LLaMA 3 and GPT-2 byte-level BPE, SentencePiece conversions such as T5's
 * Unigram or LLaMA 2's BPE with byte fallback), run as the tokenizers library runs it: added tokens are cut out
 * first, the rest is normalized, pre-tokenized into words and each word goes through the model; decoding maps ids to
 * tokens, drops special tokens and applies the decoder chain. Post-processing (BOS/EOS templates) is not applied by
 * {@link #encode(String)}: {@link #specialTokens()} reports the ids a model adds.
 */
public final class HfTokenizer implements Tokenizer {
    private final Path file;
    private final HfAddedTokens added;
    private final UnaryOperator<String> normalizer;
    private final HfPreTokenizers.PreTokenizer preTokenizer;
    private final HfModel model;
    private final HfDecoders.Decoder decoder;
    private final String modelType;
    private final Map<String, Integer> addedIds = new HashMap<>();
    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    private final Set<Integer> specialIds = new HashSet<>();
    private final int vocabSize;
    private final SpecialTokens special;

    private HfTokenizer(Path file, JsonNode root, JsonNode config) throws TokenizerFormatException {
        this.file = file;
        HfJson json = new HfJson(file);
        if (!root.isObject()) throw json.error("$", "expected a JSON object, found " + HfJson.kind(root));
        JsonNode m = root.get("model");
        if (m == null || !m.isObject()) throw json.error("model", "missing: a tokenizer.json needs a model");
        modelType = m.has("type") ? json.string(m, "type", "model") : guessModelType(m);
        model = switch (modelType) {
            case "BPE" -> new HfBpe(m, json, "model");
            case "Unigram" -> new HfUnigram(m, json, "model");
            case "WordPiece" -> HfWordModels.wordPiece(m, json, "model");
            case "WordLevel" -> HfWordModels.wordLevel(m, json, "model");
            default -> throw json.error("model.type", "unsupported model \"" + modelType + "\"");
        };
        normalizer = HfNormalizers.parse(root.get("normalizer"), json, "normalizer");
        preTokenizer = HfPreTokenizers.parse(root.get("pre_tokenizer"), json, "pre_tokenizer");
        decoder = HfDecoders.parse(root.get("decoder"), json, "decoder");

        List<AddedToken> tokens = new ArrayList<>();
        JsonNode list = root.get("added_tokens");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) throw json.error("added_tokens", "expected an array, found " + HfJson.kind(list));
            for (int i = 0; i < list.size(); i++) {
                JsonNode t = list.get(i);
                String at = "added_tokens[" + i + "]";
                if (!t.isObject()) throw json.error(at, "expected an object, found " + HfJson.kind(t));
                int id = json.id(t.get("id"), at + ".id", model.size() + list.size());
                boolean isSpecial = json.bool(t, "special", false, at);
                AddedToken token = new AddedToken(id, json.string(t, "content", at), json.bool(t, "single_word", false, at),
                        json.bool(t, "lstrip", false, at), json.bool(t, "rstrip", false, at),
                        json.bool(t, "normalized", !isSpecial, at), isSpecial);
                tokens.add(token);
                addedIds.put(token.content(), id);
                addedById.put(id, token);
                if (isSpecial) specialIds.add(id);
            }
        }
        added = new HfAddedTokens(tokens, normalizer);
        int size = model.size();
        for (AddedToken t : tokens) size = Math.max(size, t.id() + 1);
        vocabSize = size;
        special = findSpecialTokens(root, config, json);
    }

    /** Loads {@code tokenizer.json}; a {@code tokenizer_config.json} next to it supplies the special-token names. */
    public static HfTokenizer load(Path file) throws IOException {
        JsonNode root = json(file, Tokenizers.MAX_FILE_BYTES, false);
        JsonNode config = null;
        Path cfg = file.resolveSibling("tokenizer_config.json");
        if (Files.exists(cfg)) config = json(cfg, StrictJson.MAX_CONFIG_BYTES, true);
        return new HfTokenizer(file, root, config);
    }

    /** A strictly parsed JSON file; a malformed one is a TokenizerFormatException naming it. */
    private static JsonNode json(Path file, long maxBytes, boolean object) throws IOException {
        try {
            return object ? StrictJson.readObject(file, maxBytes) : StrictJson.read(file, maxBytes);
        } catch (org.crs4j.io.FileFormatException e) {
            throw new TokenizerFormatException(file, e.what(), e);
        }
    }

    private static String guessModelType(JsonNode m) {
        if (m.has("merges")) return "BPE";
        if (m.has("vocab") && m.get("vocab").isArray()) return "Unigram";
        if (m.has("max_input_chars_per_word")) return "WordPiece";
        return "WordLevel";
    }

    /**
     * BOS/EOS/pad/unk: named in {@code tokenizer_config.json} when it is there, else read off the post-processor
     * template (special tokens before and after {@code $A}), else the usual names among the special added tokens.
     */
    private SpecialTokens findSpecialTokens(JsonNode root, JsonNode config, HfJson json) {
        int bos = -1, eos = -1, pad = -1, unk = model.unkId();
        if (config != null && config.isObject()) {
            bos = configToken(config, "bos_token");
            eos = configToken(config, "eos_token");
            pad = configToken(config, "pad_token");
            int u = configToken(config, "unk_token");
            if (u >= 0) unk = u;
        }
        JsonNode post = root.get("post_processor");
        if ((bos < 0 || eos < 0) && post != null && post.isObject()) {
            List<JsonNode> templates = new ArrayList<>();
            if ("TemplateProcessing".equals(post.path("type").asText())) templates.add(post);
            if ("Sequence".equals(post.path("type").asText()))
                post.path("processors").forEach(p -> { if ("TemplateProcessing".equals(p.path("type").asText())) templates.add(p); });
            for (JsonNode t : templates) {
                boolean seenA = false;
                for (JsonNode piece : t.path("single")) {
                    if (piece.has("Sequence")) seenA = true;
                    else if (piece.has("SpecialToken")) {
                        int id = pieceId(piece.path("SpecialToken").path("id").asText());
                        if (!seenA && bos < 0) bos = id;
                        if (seenA && eos < 0) eos = id;
                    }
                }
            }
        }
        if (bos < 0) bos = firstSpecial("<|begin_of_text|>", "<s>", "<bos>", "<|startoftext|>");
        if (eos < 0) eos = firstSpecial("<|end_of_text|>", "</s>", "<eos>", "<|endoftext|>");
        if (pad < 0) pad = firstSpecial("<pad>", "<|pad|>", "[PAD]");
        if (unk < 0) unk = firstSpecial("<unk>", "[UNK]");
        return new SpecialTokens(bos, eos, pad, unk);
    }

    private int configToken(JsonNode config, String field) {
        JsonNode v = config.get(field);
        if (v == null || v.isNull()) return -1;
        String name = v.isTextual() ? v.asText() : v.path("content").asText(null);
        return name == null ? -1 : pieceId(name);
    }

    private int firstSpecial(String... names) {
        for (String n : names) {
            Integer id = addedIds.get(n);
            if (id != null && specialIds.contains(id)) return id;
        }
        return -1;
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 8);
        // 1. Added tokens in the raw text; 2. normalize the rest; 3. added tokens in the normalized text.
        List<Segment> raw = new ArrayList<>();
        added.splitRaw(new Segment(text, -1, true), raw);
        for (Segment seg : raw) {
            if (seg.id() >= 0) {
                out.add(seg.id());
                continue;
            }
            String norm = normalizer == null ? seg.text() : normalizer.apply(seg.text());
            if (norm.isEmpty()) continue;
            List<Segment> normSegs = new ArrayList<>();
            added.splitNormalized(new Segment(norm, -1, seg.atStart()), normSegs);
            for (Segment ns : normSegs) {
                if (ns.id() >= 0) {
                    out.add(ns.id());
                    continue;
                }
                // 4. Pre-tokenize into words; 5. the model tokenizes each word.
                if (preTokenizer == null) {
                    model.tokenize(ns.text(), out);
                    continue;
                }
                List<Split> words = new ArrayList<>();
                preTokenizer.apply(new Split(ns.text(), ns.atStart()), words);
                for (Split w : words) if (!w.text().isEmpty()) model.tokenize(w.text(), out);
            }
        }
        return out.toArray();
    }

    @Override
    public String decode(int[] ids) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            checkId(id);
            if (specialIds.contains(id)) continue;
            AddedToken t = addedById.get(id);
            String token = t != null ? t.content() : model.idToToken(id);
            if (token != null) tokens.add(token);
        }
        if (decoder == null) return String.join(" ", tokens);
        return String.join("", decoder.decodeChain(tokens));
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public String piece(int id) {
        checkId(id);
        AddedToken t = addedById.get(id);
        if (t != null) return t.content();
        String s = model.idToToken(id);
        if (s == null) throw new IllegalArgumentException("token id " + id + " has no entry in " + describe());
        return s;
    }

    @Override
    public int pieceId(String piece) {
        Integer id = addedIds.get(piece);
        return id != null ? id : model.tokenToId(piece);
    }

    @Override
    public SpecialTokens specialTokens() {
        return special;
    }

    @Override
    public boolean isSpecial(int id) {
        checkId(id);
        return specialIds.contains(id);
    }

    @Override
    public String describe() {
        return "tokenizer.json " + modelType + " tokenizer " + file;
    }
}

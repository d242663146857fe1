package org.crs4j.models.tokenizer;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** The word-lookup models of {@code tokenizer.json}: {@code WordPiece} (BERT) and {@code WordLevel}. */
final class HfWordModels {
    private HfWordModels() {}

    static Map<String, Integer> vocab(JsonNode node, HfJson json, String path) throws TokenizerFormatException {
        JsonNode v = node.get("vocab");
        if (v == null || !v.isObject()) throw json.error(path + ".vocab", "expected an object of token -> id");
        Map<String, Integer> vocab = new HashMap<>(v.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            vocab.put(e.getKey(), json.id(e.getValue(), path + ".vocab[\"" + e.getKey() + "\"]", v.size()));
        }
        return vocab;
    }

    private abstract static class Lookup implements HfModel {
        final Map<String, Integer> vocab;
        final String[] vocabR;
        final int unkId;

        final java.nio.file.Path file;

        Lookup(Map<String, Integer> vocab, String unkToken, HfJson json, String path) throws TokenizerFormatException {
            this.file = json.file;
            this.vocab = vocab;
            int max = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
            vocabR = new String[max + 1];
            for (Map.Entry<String, Integer> e : vocab.entrySet()) vocabR[e.getValue()] = e.getKey();
            if (unkToken != null && !vocab.containsKey(unkToken))
                throw json.error(path + ".unk_token", "\"" + unkToken + "\" is not in the vocabulary");
            unkId = unkToken == null ? -1 : vocab.get(unkToken);
        }

        int unknown(String word) {
            if (unkId < 0) throw new IllegalArgumentException(file + ": \"" + word + "\" is not in the vocabulary and the model has no unk_token");
            return unkId;
        }

        @Override public int tokenToId(String token) { return vocab.getOrDefault(token, -1); }
        @Override public String idToToken(int id) { return id >= 0 && id < vocabR.length ? vocabR[id] : null; }
        @Override public int size() { return vocabR.length; }
        @Override public int unkId() { return unkId; }
    }

    /** Greedy longest-match-first over each word; a word with any unmatched rest, or too long, is one unknown token. */
    static HfModel wordPiece(JsonNode node, HfJson json, String path) throws TokenizerFormatException {
        String prefix = json.stringOrNull(node, "continuing_subword_prefix", path);
        String pre = prefix == null ? "##" : prefix;
        int maxChars = json.integer(node, "max_input_chars_per_word", 100, path);
        return new Lookup(vocab(node, json, path), json.string(node, "unk_token", path), json, path) {
            @Override
            public void tokenize(String word, IntList out) {
                if (word.codePointCount(0, word.length()) > maxChars) {
                    out.add(unknown(word));
                    return;
                }
                IntList ids = new IntList(8);
                for (int start = 0; start < word.length(); ) {
                    int end = word.length(), found = -1;
                    while (start < end) {
                        String sub = word.substring(start, end);
                        if (start > 0) sub = pre + sub;
                        Integer id = vocab.get(sub);
                        if (id != null) {
                            found = id;
                            break;
                        }
                        end -= Character.charCount(word.codePointBefore(end));
                    }
                    if (found < 0) {
                        out.add(unknown(word));
                        return;
                    }
                    ids.add(found);
                    start = end;
                }
                for (int i = 0; i < ids.size(); i++) out.add(ids.get(i));
            }
        };
    }

    /** Whole words only. */
    static HfModel wordLevel(JsonNode node, HfJson json, String path) throws TokenizerFormatException {
        return new Lookup(vocab(node, json, path), json.stringOrNull(node, "unk_token", path), json, path) {
            @Override
            public void tokenize(String word, IntList out) {
                Integer id = vocab.get(word);
                out.add(id != null ? id : unknown(word));
            }
        };
    }
}

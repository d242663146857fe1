package org.crs4j.models.tokenizer;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code Unigram} model of {@code tokenizer.json} (T5, and other SentencePiece unigram conversions): Viterbi in
 * double precision over every vocabulary entry (special tokens included), unknown characters scored
 * {@code min_score - 10} and runs of them fused into one token, which becomes byte tokens when
 * {@code byte_fallback} is on.
 */
final class HfUnigram implements HfModel {
    private final String[] tokens;
    private final double[] scores;
    private final Map<String, Integer> ids;
    private final ByteTrie trie = new ByteTrie();
    private final double minScore;
    private final int unkId;
    private final boolean byteFallback;

    HfUnigram(JsonNode node, HfJson json, String path) throws TokenizerFormatException {
        JsonNode v = json.array(node, "vocab", path);
        int n = v.size();
        tokens = new String[n];
        scores = new double[n];
        ids = new HashMap<>(n * 2);
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            JsonNode e = v.get(i);
            if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber())
                throw json.error(path + ".vocab[" + i + "]", "expected [token, score]");
            tokens[i] = e.get(0).asText();
            scores[i] = e.get(1).asDouble();
            ids.put(tokens[i], i);
            trie.put(Utf8.bytes(tokens[i]), i);
            min = Math.min(min, scores[i]);
        }
        minScore = min;
        JsonNode u = node.get("unk_id");
        unkId = u == null || u.isNull() ? -1 : json.integer(node, "unk_id", -1, path);
        if (unkId >= n || (unkId < 0 && u != null && !u.isNull()))
            throw json.error(path + ".unk_id", unkId + " is not an id of the vocabulary of " + n);
        if (n == 0 && unkId >= 0) throw json.error(path + ".vocab", "is empty");
        byteFallback = json.bool(node, "byte_fallback", false, path);
    }

    @Override
    public void tokenize(String word, IntList out) {
        if (word.isEmpty()) return;
        byte[] s = Utf8.bytes(word);
        int size = s.length;
        double unkScore = minScore - 10.0;
        double[] best = new double[size + 1];
        int[] startsAt = new int[size + 1], bestId = new int[size + 1];
        java.util.Arrays.fill(startsAt, -1);
        for (int start = 0; start < size; ) {
            double tillHere = best[start];
            boolean hasSingleNode = false;
            int mblen = Utf8.oneCharLen(s[start]);
            int node = 0;
            for (int keyPos = start; keyPos < size; ) {
                node = trie.next(node, s[keyPos] & 0xFF);
                keyPos++;
                if (node < 0) break;
                int id = trie.value(node);
                if (id < 0) continue;
                double candidate = scores[id] + tillHere;
                if (startsAt[keyPos] == -1 || candidate > best[keyPos]) {
                    best[keyPos] = candidate;
                    startsAt[keyPos] = start;
                    bestId[keyPos] = id;
                }
                if (!hasSingleNode && keyPos - start == mblen) hasSingleNode = true;
            }
            if (!hasSingleNode) {
                if (unkId < 0) throw new IllegalStateException("Unigram model has no unk_id but \"" + word
                        + "\" has a character outside its vocabulary");
                int target = start + mblen;
                double candidate = unkScore + tillHere;
                if (startsAt[target] == -1 || candidate > best[target]) {
                    best[target] = candidate;
                    startsAt[target] = start;
                    bestId[target] = unkId;
                }
            }
            start += mblen;
        }
        // Backtrack, fusing runs of unknown nodes into one piece (pieces come out last to first).
        IntList starts = new IntList(16), ends = new IntList(16), pieceIds = new IntList(16);
        for (int end = size; end > 0; ) {
            int start = startsAt[end];
            int id = bestId[end];
            if (id == unkId) while (start > 0 && bestId[start] == unkId) start = startsAt[start];
            starts.add(start);
            ends.add(end);
            pieceIds.add(id);
            end = start;
        }
        for (int k = pieceIds.size() - 1; k >= 0; k--) {
            int start = starts.get(k), end = ends.get(k), id = pieceIds.get(k);
            if (id != unkId) {
                out.add(id);
                continue;
            }
            String piece = new String(s, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
            Integer known = ids.get(piece);
            if (known != null) {
                out.add(known);
            } else if (byteFallback && allBytesKnown(s, start, end)) {
                for (int i = start; i < end; i++) out.add(ids.get(SpmVocab.byteToPiece(s[i] & 0xFF)));
            } else {
                out.add(unkId);
            }
        }
    }

    private boolean allBytesKnown(byte[] s, int start, int end) {
        for (int i = start; i < end; i++) if (!ids.containsKey(SpmVocab.byteToPiece(s[i] & 0xFF))) return false;
        return true;
    }

    @Override
    public int tokenToId(String token) {
        return ids.getOrDefault(token, -1);
    }

    @Override
    public String idToToken(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    @Override
    public int size() {
        return tokens.length;
    }

    @Override
    public int unkId() {
        return unkId;
    }
}

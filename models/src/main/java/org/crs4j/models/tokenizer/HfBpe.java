package org.crs4j.models.tokenizer;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code BPE} model of {@code tokenizer.json} (GPT-2, LLaMA 3, and SentencePiece conversions with
 * {@code byte_fallback}): words start as characters and the adjacent pair with the lowest merge rank merges first,
 * leftmost on ties. With {@code ignore_merges} a word that is itself in the vocabulary is one token.
 */
final class HfBpe implements HfModel {
    private final Map<String, Integer> vocab;
    private final String[] vocabR;
    private final Map<Long, long[]> merges = new HashMap<>(); // (left id, right id) -> {rank, new id}
    private final String unkToken, prefix, suffix;
    private final boolean fuseUnk, byteFallback, ignoreMerges;
    private final int unkId;
    private final int[] byteIds = new int[256]; // <0xNN> ids, -1 where absent

    HfBpe(JsonNode node, HfJson json, String path) throws TokenizerFormatException {
        JsonNode v = node.get("vocab");
        if (v == null || !v.isObject()) throw json.error(path + ".vocab", "expected an object of token -> id");
        vocab = new HashMap<>(v.size() * 2);
        int max = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = json.id(e.getValue(), path + ".vocab[\"" + e.getKey() + "\"]", v.size());
            vocab.put(e.getKey(), id);
            max = Math.max(max, id);
        }
        vocabR = new String[max + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) vocabR[e.getValue()] = e.getKey();
        unkToken = json.stringOrNull(node, "unk_token", path);
        prefix = json.stringOrNull(node, "continuing_subword_prefix", path);
        suffix = json.stringOrNull(node, "end_of_word_suffix", path);
        fuseUnk = json.bool(node, "fuse_unk", false, path);
        byteFallback = json.bool(node, "byte_fallback", false, path);
        ignoreMerges = json.bool(node, "ignore_merges", false, path);
        if (unkToken != null && !vocab.containsKey(unkToken))
            throw json.error(path + ".unk_token", "\"" + unkToken + "\" is not in the vocabulary");
        unkId = unkToken == null ? -1 : vocab.get(unkToken);
        for (int b = 0; b < 256; b++) byteIds[b] = vocab.getOrDefault(SpmVocab.byteToPiece(b), -1);

        JsonNode list = json.array(node, "merges", path);
        int prefixLen = prefix == null ? 0 : prefix.length();
        for (int rank = 0; rank < list.size(); rank++) {
            JsonNode m = list.get(rank);
            String at = path + ".merges[" + rank + "]";
            String a, b;
            if (m.isTextual()) { // legacy "a b"
                String[] parts = m.asText().split(" ", -1);
                if (parts.length != 2) throw json.error(at, "\"" + m.asText() + "\" is not two tokens separated by one space");
                a = parts[0];
                b = parts[1];
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                a = m.get(0).asText();
                b = m.get(1).asText();
            } else {
                throw json.error(at, "expected \"a b\" or [\"a\", \"b\"], found " + HfJson.kind(m));
            }
            Integer ia = vocab.get(a), ib = vocab.get(b);
            if (ia == null) throw json.error(at, "token \"" + a + "\" is not in the vocabulary");
            if (ib == null) throw json.error(at, "token \"" + b + "\" is not in the vocabulary");
            String merged = a + (prefixLen > 0 && b.length() >= prefixLen ? b.substring(prefixLen) : b);
            Integer im = vocab.get(merged);
            if (im == null) throw json.error(at, "merged token \"" + merged + "\" is not in the vocabulary");
            merges.put(pair(ia, ib), new long[] {rank, im});
        }
    }

    private static long pair(int a, int b) {
        return (long) a << 32 | (b & 0xFFFFFFFFL);
    }

    @Override
    public void tokenize(String word, IntList out) {
        if (word.isEmpty()) return;
        if (ignoreMerges) {
            Integer id = vocab.get(word);
            if (id != null) {
                out.add(id);
                return;
            }
        }
        // Initial symbols: one per character, unknown characters as byte tokens or (fused) unknown tokens.
        IntList syms = new IntList(word.length() + 4);
        int unk = -1; // pending unknown symbol
        for (int i = 0; i < word.length(); ) {
            int n = Character.charCount(word.codePointAt(i));
            boolean first = i == 0, last = i + n == word.length();
            String s = word.substring(i, i + n);
            if (!first && prefix != null) s = prefix + s;
            if (last && suffix != null) s = s + suffix;
            Integer id = vocab.get(s);
            i += n;
            if (id != null) {
                if (unk >= 0) { syms.add(unk); unk = -1; }
                syms.add(id);
                continue;
            }
            if (byteFallback) {
                byte[] bytes = Utf8.bytes(s);
                boolean all = true;
                for (byte b : bytes) all &= byteIds[b & 0xFF] >= 0;
                if (all) {
                    for (byte b : bytes) syms.add(byteIds[b & 0xFF]); // a pending unknown stays pending, as in the library
                    continue;
                }
            }
            if (unkId >= 0) {
                if (unk >= 0 && !fuseUnk) syms.add(unk);
                unk = unkId;
            }
        }
        if (unk >= 0) syms.add(unk);
        merge(syms, out);
    }

    /** {@code Word::merge_all}: lowest rank first, then leftmost; entries whose pair changed are skipped. */
    private void merge(IntList syms, IntList out) {
        int n = syms.size();
        int[] c = syms.toArray(), next = new int[n], prev = new int[n];
        boolean[] gone = new boolean[n];
        for (int i = 0; i < n; i++) { next[i] = i + 1 < n ? i + 1 : -1; prev[i] = i - 1; }
        MergeHeap heap = new MergeHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            long[] m = merges.get(pair(c[i], c[i + 1]));
            if (m != null) heap.push((int) m[0], i, (int) m[1]);
        }
        while (!heap.isEmpty()) {
            int rank = heap.rank(), pos = heap.pos(), newId = heap.newId();
            heap.pop();
            if (gone[pos] || next[pos] == -1) continue;
            int right = next[pos];
            long[] m = merges.get(pair(c[pos], c[right]));
            if (m == null || m[1] != newId) continue;
            c[pos] = newId;
            gone[right] = true;
            next[pos] = next[right];
            if (next[right] >= 0) prev[next[right]] = pos;
            if (prev[pos] >= 0) {
                long[] mp = merges.get(pair(c[prev[pos]], c[pos]));
                if (mp != null) heap.push((int) mp[0], prev[pos], (int) mp[1]);
            }
            if (next[pos] >= 0) {
                long[] mn = merges.get(pair(c[pos], c[next[pos]]));
                if (mn != null) heap.push((int) mn[0], pos, (int) mn[1]);
            }
            assert rank >= 0;
        }
        for (int i = 0; i != -1 && n > 0; i = next[i]) out.add(c[i]);
    }

    /** Min-heap on (rank, position). */
    private static final class MergeHeap {
        private int[] rank, pos, newId;
        private int n;

        MergeHeap(int capacity) {
            int cap = Math.max(16, capacity * 2);
            rank = new int[cap];
            pos = new int[cap];
            newId = new int[cap];
        }

        boolean isEmpty() { return n == 0; }
        int rank() { return rank[0]; }
        int pos() { return pos[0]; }
        int newId() { return newId[0]; }

        void push(int r, int p, int id) {
            if (n == rank.length) {
                rank = java.util.Arrays.copyOf(rank, n * 2);
                pos = java.util.Arrays.copyOf(pos, n * 2);
                newId = java.util.Arrays.copyOf(newId, n * 2);
            }
            int i = n++;
            while (i > 0) {
                int q = (i - 1) >>> 1;
                if (!(r < rank[q] || r == rank[q] && p < pos[q])) break;
                rank[i] = rank[q]; pos[i] = pos[q]; newId[i] = newId[q];
                i = q;
            }
            rank[i] = r; pos[i] = p; newId[i] = id;
        }

        void pop() {
            n--;
            if (n == 0) return;
            int r = rank[n], p = pos[n], id = newId[n];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= n) break;
                if (c + 1 < n && (rank[c + 1] < rank[c] || rank[c + 1] == rank[c] && pos[c + 1] < pos[c])) c++;
                if (!(rank[c] < r || rank[c] == r && pos[c] < p)) break;
                rank[i] = rank[c]; pos[i] = pos[c]; newId[i] = newId[c];
                i = c;
            }
            rank[i] = r; pos[i] = p; newId[i] = id;
        }
    }

    @Override
    public int tokenToId(String token) {
        return vocab.getOrDefault(token, -1);
    }

    @Override
    public String idToToken(int id) {
        return id >= 0 && id < vocabR.length ? vocabR[id] : null;
    }

    @Override
    public int size() {
        return vocabR.length;
    }

    @Override
    public int unkId() {
        return unkId;
    }
}

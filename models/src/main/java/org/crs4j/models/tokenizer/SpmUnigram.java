package org.crs4j.models.tokenizer;

import org.crs4j.models.tokenizer.SentencePieceModel.PieceType;

/**
 * SentencePiece's unigram model ({@code unigram::Model::EncodeOptimized}): Viterbi over the lattice of vocabulary
 * pieces, one best path per byte position. A character no piece starts with becomes an unknown node scored
 * {@code min_score - 10}. Arithmetic follows the C++ exactly: path scores are stored as float, but a piece's score
 * plus the path score is compared in double (the C++ ternary that also yields user-defined bonuses is a double), while
 * the unknown candidate stays in float. Equal candidates keep the first one found.
 */
final class SpmUnigram implements SpmSegmenter {
    private static final float UNK_PENALTY = 10.0f;

    private final SpmVocab vocab;
    private final ByteTrie trie = new ByteTrie();
    private final float minScore, maxScore;

    SpmUnigram(SpmVocab vocab) {
        this.vocab = vocab;
        float min = Float.MAX_VALUE, max = Float.MIN_NORMAL; // C++ FLT_MAX / FLT_MIN
        for (int i = 0; i < vocab.size(); i++) {
            if (vocab.types[i] == PieceType.NORMAL) {
                min = Math.min(min, vocab.scores[i]);
                max = Math.max(max, vocab.scores[i]);
            }
            PieceType t = vocab.types[i];
            if (t == PieceType.NORMAL || t == PieceType.USER_DEFINED || t == PieceType.UNUSED) trie.put(vocab.bytes[i], i);
        }
        minScore = min;
        maxScore = max;
    }

    @Override
    public void segment(byte[] s, int size, IntList ends, IntList ids) {
        if (size == 0) return;
        float unkScore = minScore - UNK_PENALTY;
        float[] best = new float[size + 1];
        int[] startsAt = new int[size + 1];
        int[] bestId = new int[size + 1];
        java.util.Arrays.fill(startsAt, -1);
        PieceType[] types = vocab.types;
        float[] scores = vocab.scores;
        int start = 0;
        while (start < size) {
            float tillHere = best[start];
            boolean hasSingleNode = false;
            int mblen = Math.min(Utf8.oneCharLen(s[start]), size - start);
            int node = 0;
            for (int keyPos = start; keyPos < size; ) {
                node = trie.next(node, s[keyPos] & 0xFF);
                keyPos++;
                if (node < 0) break;
                int id = trie.value(node);
                if (id < 0 || types[id] == PieceType.UNUSED) continue;
                int length = keyPos - start;
                double score = types[id] == PieceType.USER_DEFINED ? (double) (length * maxScore) - 0.1 : scores[id];
                double candidate = score + tillHere;
                if (startsAt[keyPos] == -1 || candidate > best[keyPos]) {
                    best[keyPos] = (float) candidate;
                    startsAt[keyPos] = start;
                    bestId[keyPos] = id;
                }
                if (!hasSingleNode && length == mblen) hasSingleNode = true;
            }
            if (!hasSingleNode) {
                int target = start + mblen;
                float candidate = unkScore + tillHere;
                if (startsAt[target] == -1 || candidate > best[target]) {
                    best[target] = candidate;
                    startsAt[target] = start;
                    bestId[target] = vocab.unkId;
                }
            }
            start += mblen;
        }
        // Backtrack from the end, then reverse into the output.
        int first = ends.size();
        for (int end = size; end > 0; end = startsAt[end]) {
            ends.add(end);
            ids.add(bestId[end]);
        }
        reverse(ends, first);
        reverse(ids, first);
    }

    static void reverse(IntList list, int from) {
        for (int i = from, j = list.size() - 1; i < j; i++, j--) {
            int t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}

package org.crs4j.models.tokenizer;

import java.util.HashMap;
import java.util.Map;

import org.crs4j.models.tokenizer.SentencePieceModel.PieceType;

/**
 * SentencePiece's BPE model ({@code bpe::Model::SampleEncode} without dropout): start from characters (user-defined
 * symbols stay whole and never merge), then repeatedly merge the adjacent pair whose concatenation is a vocabulary
 * piece with the highest score, the leftmost on ties. There is no merges list: the piece scores are the merge order.
 * Pieces of type UNUSED may be merged through but are split back into the parts they were made of.
 */
final class SpmBpe implements SpmSegmenter {
    private final SpmVocab vocab;
    private final boolean hasUnused;

    SpmBpe(SpmVocab vocab) {
        this.vocab = vocab;
        boolean unused = false;
        for (PieceType t : vocab.types) unused |= t == PieceType.UNUSED;
        this.hasUnused = unused;
    }

    @Override
    public void segment(byte[] s, int size, IntList ends, IntList ids) {
        if (size == 0) return;
        // Symbols as a doubly linked list over byte ranges [start, start + len) of s.
        int cap = size;
        int[] start = new int[cap], len = new int[cap], prev = new int[cap], next = new int[cap];
        boolean[] freeze = new boolean[cap];
        int n = 0;
        for (int pos = 0; pos < size; ) {
            int m = vocab.symbolLength(s, pos, size);
            freeze[n] = vocab.isUserDefinedAt(s, pos, size);
            start[n] = pos;
            len[n] = m;
            prev[n] = n - 1;
            pos += m;
            next[n] = pos < size ? n + 1 : -1;
            n++;
        }
        PairHeap agenda = new PairHeap(n);
        Map<Key, int[]> revMerge = hasUnused ? new HashMap<>() : null;
        for (int i = 1; i < n; i++) maybeAdd(s, i - 1, i, start, len, freeze, agenda, revMerge);

        while (!agenda.isEmpty()) {
            int left = agenda.topLeft(), right = agenda.topRight(), pairSize = agenda.topSize();
            agenda.pop();
            if (len[left] == 0 || len[right] == 0 || len[left] + len[right] != pairSize) continue; // stale
            len[left] += len[right];
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            len[right] = 0;
            maybeAdd(s, prev[left], left, start, len, freeze, agenda, revMerge);
            maybeAdd(s, left, next[left], start, len, freeze, agenda, revMerge);
        }

        int offset = 0;
        for (int i = 0; i != -1; i = next[i]) {
            resegment(s, start[i], start[i] + len[i], revMerge, ends, ids);
            offset = start[i] + len[i];
        }
        assert offset == size;
    }

    private void maybeAdd(byte[] s, int left, int right, int[] start, int[] len, boolean[] freeze, PairHeap agenda,
                          Map<Key, int[]> revMerge) {
        if (left == -1 || right == -1 || freeze[left] || freeze[right]) return;
        int pieceLen = len[left] + len[right];
        int id = vocab.normal.get(s, start[left], pieceLen);
        if (id < 0) return;
        agenda.push(vocab.scores[id], left, right, pieceLen);
        if (revMerge != null && vocab.types[id] == PieceType.UNUSED)
            revMerge.put(new Key(s, start[left], pieceLen), new int[] {start[left], start[left] + len[left], start[left] + pieceLen});
    }

    private void resegment(byte[] s, int from, int to, Map<Key, int[]> revMerge, IntList ends, IntList ids) {
        int id = vocab.pieceToId(s, from, to - from);
        if (revMerge == null || vocab.types[id] != PieceType.UNUSED) {
            ends.add(to);
            ids.add(id);
            return;
        }
        int[] split = revMerge.get(new Key(s, from, to - from));
        if (split == null) {
            ends.add(to);
            ids.add(id);
            return;
        }
        // The recorded split may come from another occurrence of the same piece: only its lengths matter.
        int mid = from + (split[1] - split[0]);
        resegment(s, from, mid, revMerge, ends, ids);
        resegment(s, mid, to, revMerge, ends, ids);
    }

    /** A byte-string key copied out of the text (only used for the rare UNUSED pieces). */
    private record Key(byte[] b) {
        Key(byte[] s, int off, int len) {
            this(java.util.Arrays.copyOfRange(s, off, off + len));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Arrays.equals(b, k.b);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(b);
        }
    }

    /** Max-heap of candidate merges: higher score first, then smaller left index (C++ SymbolPairComparator). */
    static final class PairHeap {
        private float[] score;
        private int[] left, right, size;
        private int n;

        PairHeap(int capacity) {
            int c = Math.max(16, capacity * 2);
            score = new float[c];
            left = new int[c];
            right = new int[c];
            size = new int[c];
        }

        boolean isEmpty() { return n == 0; }
        int topLeft() { return left[0]; }
        int topRight() { return right[0]; }
        int topSize() { return size[0]; }

        void push(float sc, int l, int r, int sz) {
            if (n == score.length) {
                int c = n * 2;
                score = java.util.Arrays.copyOf(score, c);
                left = java.util.Arrays.copyOf(left, c);
                right = java.util.Arrays.copyOf(right, c);
                size = java.util.Arrays.copyOf(size, c);
            }
            int i = n++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (!before(sc, l, score[p], left[p])) break;
                move(p, i);
                i = p;
            }
            set(i, sc, l, r, sz);
        }

        void pop() {
            n--;
            if (n == 0) return;
            float sc = score[n];
            int l = left[n], r = right[n], sz = size[n];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= n) break;
                if (c + 1 < n && before(score[c + 1], left[c + 1], score[c], left[c])) c++;
                if (!before(score[c], left[c], sc, l)) break;
                move(c, i);
                i = c;
            }
            set(i, sc, l, r, sz);
        }

        private static boolean before(float s1, int l1, float s2, int l2) {
            return s1 > s2 || (s1 == s2 && l1 < l2);
        }

        private void move(int from, int to) {
            set(to, score[from], left[from], right[from], size[from]);
        }

        private void set(int i, float sc, int l, int r, int sz) {
            score[i] = sc;
            left[i] = l;
            right[i] = r;
            size[i] = sz;
        }
    }
}

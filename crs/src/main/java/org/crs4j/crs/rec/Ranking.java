package org.crs4j.crs.rec;

import java.util.Arrays;

/** Ranking scores: one definition of "best first" for every recommender and metric. */
public final class Ranking {
    private Ranking() {}

    /**
     * Indices of the k highest finite-or-+inf scores, best first; ties go to the lower index (a stable order, so
     * results do not depend on thread count or sort implementation). NaN and -inf are never returned.
     */
    public static int[] topK(float[] scores, int k) {
        if (k < 0) throw new IllegalArgumentException("k must be >= 0, got " + k);
        // a bounded min-heap of candidates, worst at the root
        int[] heap = new int[Math.min(k, scores.length)];
        int size = 0;
        for (int i = 0; i < scores.length; i++) {
            float s = scores[i];
            if (Float.isNaN(s) || s == Float.NEGATIVE_INFINITY) continue;
            if (size < heap.length) {
                heap[size] = i;
                siftUp(heap, size++, scores);
            } else if (size > 0 && better(i, heap[0], scores)) {
                heap[0] = i;
                siftDown(heap, size, scores);
            }
        }
        Integer[] best = new Integer[size];
        for (int i = 0; i < size; i++) best[i] = heap[i];
        Arrays.sort(best, (a, b) -> better(a, b, scores) ? -1 : better(b, a, scores) ? 1 : 0);
        int[] out = new int[size];
        for (int i = 0; i < size; i++) out[i] = best[i];
        return out;
    }

    /**
     * The 1-based rank of {@code target} among the candidates under the order of {@link #topK} (higher score first,
     * lower index on ties), or 0 when its score is NaN or -inf. Counts, so it costs one pass and no sort.
     */
    public static int rankOf(float[] scores, int target) {
        float t = scores[target];
        if (Float.isNaN(t) || t == Float.NEGATIVE_INFINITY) return 0;
        int before = 0;
        for (int i = 0; i < scores.length; i++) {
            if (i != target && !Float.isNaN(scores[i]) && better(i, target, scores)) before++;
        }
        return before + 1;
    }

    private static boolean better(int a, int b, float[] s) {
        return s[a] > s[b] || (s[a] == s[b] && a < b);
    }

    private static void siftUp(int[] h, int i, float[] s) {
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!better(h[p], h[i], s)) break; // parent is worse than child: heap property holds
            int t = h[p]; h[p] = h[i]; h[i] = t;
            i = p;
        }
    }

    private static void siftDown(int[] h, int n, float[] s) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1, r = l + 1, w = i;
            if (l < n && better(h[w], h[l], s)) w = l;
            if (r < n && better(h[w], h[r], s)) w = r;
            if (w == i) return;
            int t = h[w]; h[w] = h[i]; h[i] = t;
            i = w;
        }
    }
}

package org.crs4j.data.link;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongArrays;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds KG entity and item names in free text (utterances of OpenDialKG, TG-ReDial and ReDial, and chat input).
 *
 * <p><b>Exact</b>: names are normalized ({@link NormalizedText}) and stored in a token trie; the text is scanned left
 * to right taking the longest name that starts at each token (leftmost-longest, non-overlapping).
 * <p><b>Fuzzy</b>: where no exact name starts, windows of 2..k words (each of 3+ letters and not a common word, within one sentence) are
 * compared with the k-word names of at least
 * {@value #FUZZY_MIN_CHARS} characters through a one-deletion neighbourhood index (SymSpell): a name is a candidate
 * when the window and the name share a string after deleting at most one character from each, and it is accepted when
 * the optimal-string-alignment distance is at most 1 (one typo: insertion, deletion, substitution or swap of adjacent
 * characters), and the difference is not a plural "s".
 * <p><b>Precision guards</b> (chat is full of words that are also DBpedia entities): a name made only of common words
 * ("Her", "It", "Movies", "No Problem") is never linked (read on ReDial, capitals did not tell the film from the word);
 * any other single-word name only where it is capitalized (or it is a CJK name of two or more characters); "the" + one
 * word ("The Box") only where that word is capitalized; capitalization counts for nothing in Title Case text
 * ("What Movies Can I Recommend?"); aliases added
 * with {@code anyCase} (genre words such as "horror") are exempt. When several entities share a normalized name the
 * one added with the highest priority wins (ties: the smaller entity id).
 */
public final class EntityLinker {
    public static final int FUZZY_MIN_CHARS = 6;
    private static final int MAX_FUZZY_DISTANCE = 1;
    private static final int HASH_BITS = 40;

    private final Object2IntOpenHashMap<String> tokenIds;
    private final Long2IntOpenHashMap edges;      // (node << 32 | token) -> child node
    private final int[] nodeName;                 // node -> name index, or -1
    private final String[] names;                 // normalized names
    private final int[] nameEntity, nameTokens;
    private final boolean[] nameAnyCase, nameAllCommon, nameTitle;
    private final int maxTokens;
    private final int[] namePriority;
    private final Long2IntOpenHashMap fuzzyGroup; // deletion-key hash -> group
    private final int[] fuzzyGroupStart;          // group -> first index in fuzzyIds (one extra entry at the end)
    private final int[] fuzzyIds;                 // name indices, grouped by deletion-key hash

    private EntityLinker(Builder b) {
        tokenIds = b.tokenIds;
        edges = b.edges;
        nodeName = b.nodeName.toIntArray();
        names = b.names.toArray(String[]::new);
        nameEntity = b.nameEntity.toIntArray();
        nameTokens = b.nameTokens.toIntArray();
        int n = names.length;
        nameAnyCase = new boolean[n];
        nameAllCommon = new boolean[n];
        nameTitle = new boolean[n];
        for (int i = 0; i < n; i++) {
            nameAnyCase[i] = b.nameAnyCase.get(i);
            nameTitle[i] = b.nameTitle.get(i);
            nameAllCommon[i] = allCommon(names[i]);
        }
        maxTokens = b.maxTokens;

        namePriority = b.namePriority.toIntArray();
        LongArrayList packed = new LongArrayList();
        for (int i = 0; i < n; i++) {
            String s = names[i];
            if (s.length() < FUZZY_MIN_CHARS || nameAllCommon[i] || hasIdeograph(s)) continue;
            for (long h : deletionHashes(s)) packed.add((h >>> (64 - HASH_BITS)) << (64 - HASH_BITS) | i);
        }
        long[] keys = packed.toLongArray();
        LongArrays.radixSort(keys);
        fuzzyIds = new int[keys.length];
        fuzzyGroup = new Long2IntOpenHashMap();
        fuzzyGroup.defaultReturnValue(-1);
        IntArrayList starts = new IntArrayList();
        long prev = -1;
        for (int i = 0; i < keys.length; i++) {
            long h = keys[i] >>> (64 - HASH_BITS);
            fuzzyIds[i] = (int) (keys[i] & ((1L << (64 - HASH_BITS)) - 1));
            if (h != prev) {
                fuzzyGroup.put(h, starts.size());
                starts.add(i);
                prev = h;
            }
        }
        starts.add(keys.length);
        fuzzyGroupStart = starts.toIntArray();
    }

    public static Builder builder() { return new Builder(); }

    public int nameCount() { return names.length; }

    public List<Mention> link(String text) { return link(NormalizedText.of(text)); }

    public List<Mention> link(NormalizedText t) {
        List<Mention> out = new ArrayList<>();
        String[] tok = t.tokens();
        int n = tok.length;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = tokenIds.getInt(tok[i]);
        int i = 0;
        while (i < n) {
            int best = -1, bestEnd = -1;
            int node = 0;
            for (int j = i; j < n && j - i < maxTokens && ids[j] >= 0; j++) {
                node = edges.get(((long) node << 32) | ids[j]);
                if (node < 0) break;
                int name = nodeName[node];
                if (name >= 0 && accept(name, t, i, j + 1)) { best = name; bestEnd = j + 1; }
            }
            if (best >= 0) {
                out.add(new Mention(t.starts()[i], t.ends()[bestEnd - 1], nameEntity[best], names[best], 0));
                i = bestEnd;
                continue;
            }
            Mention fuzzy = fuzzyAt(t, i);
            if (fuzzy != null) {
                out.add(fuzzy);
                int end = i;
                while (end < n && t.starts()[end] < fuzzy.end()) end++;
                i = end;
            } else i++;
        }
        return out;
    }

    private Mention fuzzyAt(NormalizedText t, int i) {
        if (fuzzyIds.length == 0) return null;
        String[] tok = t.tokens();
        if (CommonWords.isCommon(tok[i]) || NormalizedText.isIdeograph(tok[i].codePointAt(0))) return null;
        // fuzzy matching is for multi-word names (people, titles) typed with a slip; every window word has >= 3
        // letters ("take a" is not "Take 5") and the window stays inside one sentence
        if (tok[i].length() < 3) return null;
        StringBuilder window = new StringBuilder();
        int best = -1, bestTokens = 0, bestDistance = Integer.MAX_VALUE;
        for (int k = 1; k <= maxTokens && i + k <= tok.length; k++) {
            if (k > 1) {
                String w = tok[i + k - 1];
                if (w.length() < 3 || CommonWords.isCommon(w) || t.sentenceStart()[i + k - 1]) break;
                window.append(' ');
            }
            window.append(tok[i + k - 1]);
            if (k < 2) continue;
            if (window.length() + MAX_FUZZY_DISTANCE < FUZZY_MIN_CHARS) continue;
            String w = window.toString();
            for (long h : deletionHashes(w)) {
                int g = fuzzyGroup.get(h >>> (64 - HASH_BITS));
                if (g < 0) continue;
                for (int p = fuzzyGroupStart[g]; p < fuzzyGroupStart[g + 1]; p++) {
                    int name = fuzzyIds[p];
                    if (name == best || nameTokens[name] != k || isPlural(w, names[name])) continue;
                    int d = EditDistance.bounded(w, names[name], MAX_FUZZY_DISTANCE);
                    if (d == 0 || d > MAX_FUZZY_DISTANCE) continue; // 0: the exact pass already took or rejected it
                    if (!accept(name, t, i, i + k)) continue;
                    // prefer the longer window, then the closer name, then the higher priority
                    boolean better = best < 0 || k > bestTokens || (k == bestTokens && (d < bestDistance
                            || (d == bestDistance && namePriority[name] > namePriority[best])));
                    if (better) { best = name; bestTokens = k; bestDistance = d; }
                }
            }
        }
        if (best < 0) return null;
        return new Mention(t.starts()[i], t.ends()[i + bestTokens - 1], nameEntity[best], names[best], bestDistance);
    }

    /** "scary movies" vs "Scary Movie": an inflection, not a typo. */
    private static boolean isPlural(String a, String b) {
        return (a.length() == b.length() + 1 && a.endsWith("s") && a.startsWith(b))
                || (b.length() == a.length() + 1 && b.endsWith("s") && b.startsWith(a));
    }

    private boolean accept(int name, NormalizedText t, int from, int to) {
        if (nameAnyCase[name]) return true;
        String s = names[name];
        if (NormalizedText.isIdeograph(s.codePointAt(0))) return nameTokens[name] >= 2 && (!nameTitle[name] || t.afterTitleMark()[from]);
        boolean caseSaysName = !t.titleCase();
        if (nameAllCommon[name]) return false;
        if (nameTokens[name] == 1) return s.length() >= 3 && caseSaysName && t.capitalized()[from];
        // "the box office" is not The Box: an article plus one word needs that word capitalized
        if (nameTokens[name] == 2 && CommonWords.isArticle(t.tokens()[from])) return caseSaysName && t.capitalized()[from + 1];
        return true;
    }

    private static boolean allCommon(String normalized) {
        for (String tok : normalized.split(" ")) if (!CommonWords.isCommon(tok)) return false;
        return true;
    }

    private static boolean hasIdeograph(String s) {
        return s.codePoints().anyMatch(NormalizedText::isIdeograph);
    }

    /** Hashes of s and of every string made by deleting one char of s. */
    static long[] deletionHashes(String s) {
        int n = s.length();
        long[] out = new long[n + 1];
        out[0] = hash(s, -1);
        for (int i = 0; i < n; i++) out[i + 1] = hash(s, i);
        return out;
    }

    private static long hash(String s, int skip) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < s.length(); i++) {
            if (i == skip) continue;
            h = (h ^ s.charAt(i)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
        }
        h ^= h >>> 32;
        h *= 0x94D049BB133111EBL;
        return h ^ (h >>> 29);
    }

    /** Collects names; the first name added for a normalized form wins unless a later one has a higher priority. */
    public static final class Builder {
        private final Object2IntOpenHashMap<String> tokenIds = new Object2IntOpenHashMap<>();
        private final Long2IntOpenHashMap edges = new Long2IntOpenHashMap();
        private final IntArrayList nodeName = new IntArrayList();
        private final List<String> names = new ArrayList<>();
        private final IntArrayList nameEntity = new IntArrayList(), nameTokens = new IntArrayList(), namePriority = new IntArrayList();
        private final List<Boolean> nameAnyCase = new ArrayList<>(), nameTitle = new ArrayList<>();
        private int maxTokens = 1;

        Builder() {
            tokenIds.defaultReturnValue(-1);
            edges.defaultReturnValue(-1);
            nodeName.add(-1); // root
        }

        /**
         * @param name     a display name ("Johnny Depp", "The Shining", "厉鬼将映")
         * @param entity   the id mentions of it resolve to
         * @param priority higher wins when two entities normalize to the same name (e.g. KG degree)
         * @param anyCase  link it whatever its case in the text (genre aliases such as "horror")
         * @return false when the name normalizes to nothing or an existing name kept its entity
         */
        public Builder add(String name, int entity, int priority, boolean anyCase) {
            addName(name, entity, priority, anyCase, false);
            return this;
        }

        /**
         * A work's title: like {@link #add}, except that a Chinese or Japanese title is linked only inside 《》, as
         * such text quotes titles ("推荐《厉鬼将映》"); unquoted, "女朋友" is a word, not the film.
         */
        public Builder addTitle(String name, int entity, int priority) {
            addName(name, entity, priority, false, true);
            return this;
        }

        public boolean addName(String name, int entity, int priority, boolean anyCase, boolean title) {
            String[] tokens = NormalizedText.of(name).tokens();
            if (tokens.length == 0) return false;
            int node = 0;
            for (String tok : tokens) {
                int id = tokenIds.getInt(tok);
                if (id < 0) { id = tokenIds.size(); tokenIds.put(tok, id); }
                long key = ((long) node << 32) | id;
                int child = edges.get(key);
                if (child < 0) {
                    child = nodeName.size();
                    nodeName.add(-1);
                    edges.put(key, child);
                }
                node = child;
            }
            int existing = nodeName.getInt(node);
            if (existing >= 0) {
                int p = namePriority.getInt(existing);
                if (p > priority || (p == priority && nameEntity.getInt(existing) <= entity)) return false;
                nameEntity.set(existing, entity);
                namePriority.set(existing, priority);
                nameAnyCase.set(existing, anyCase);
                nameTitle.set(existing, title);
                return true;
            }
            nodeName.set(node, names.size());
            names.add(String.join(" ", tokens));
            nameEntity.add(entity);
            nameTokens.add(tokens.length);
            namePriority.add(priority);
            nameAnyCase.add(anyCase);
            nameTitle.add(title);
            maxTokens = Math.max(maxTokens, tokens.length);
            return true;
        }

        public EntityLinker build() { return new EntityLinker(this); }
    }
}

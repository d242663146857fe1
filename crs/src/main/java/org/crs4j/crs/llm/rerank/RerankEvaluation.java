package org.crs4j.crs.llm.rerank;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.crs4j.crs.llm.LlmException;
import org.crs4j.crs.llm.TitleMatcher;
import org.crs4j.crs.rec.Recommender;
import org.crs4j.data.model.ItemCatalogue;
import org.crs4j.data.prepare.PreparedDataset;
import org.crs4j.data.prepare.PreparedDialogue;
import org.crs4j.data.prepare.PreparedSplit;
import org.crs4j.data.prepare.PreparedTurn;
import org.crs4j.data.prepare.RecommendationSample;

/**
 * Seed 003's LLM re-ranking experiment (§3.4, §5.3, Table 6) on the recommendation samples of a prepared split:
 * for each sample, the recommender's best items become the candidates, the LLM re-ranks them ({@link LlmReranker}),
 * and the rank of the sample's target is taken in both lists, so that Recall@K of I^llm and of the candidates are
 * measured on the same samples.
 *
 * <p>Stated choices:
 * <ul>
 *   <li>samples: all of the split, or {@code limit} of them drawn at random without replacement (seeded by the
 *       settings' seed), evaluated in file order;</li>
 *   <li>candidates ({@link Oracle}): NONE — the recommender's top {@code candidates}; TRUTH ("with oracle") — the
 *       target put in at a random position when missing, in place of the last candidate; MENTIONED ("oracle†") —
 *       every item mentioned anywhere in the conversation (the target's own turn included) put in at random
 *       positions when missing, in place of the last candidates, the list growing only if they outnumber it. Random
 *       positions, seeded per sample, because an LLM that learnt "the odd one out is last" would otherwise look good;</li>
 *   <li>one call per distinct prompt: the samples of one turn (one per movie it mentions) share their prompt and, with
 *       NONE and MENTIONED, their answer — the response the system would give once;</li>
 *   <li>a failed call or an unparsable answer counts, and I^llm falls back to the candidates' order; three failed
 *       calls in a row stop the run (the endpoint is taken to be down) with the last failure's message.</li>
 * </ul>
 */
public final class RerankEvaluation {
    /** The cut-offs seed 003 reports for LLM outputs (Table 6). */
    public static final int[] KS = {1, 3, 5, 10};
    static final int FAILURES_IN_A_ROW = 3;

    public enum Oracle { NONE, TRUTH, MENTIONED }

    /**
     * One evaluated sample.
     *
     * @param candidates the entities shown to the LLM, in the order shown
     * @param llmList    I^llm as entities
     * @param rankShown  1-based rank of the target in {@code candidates}, 0 when absent
     * @param rankLlm    1-based rank of the target in I^llm, 0 when absent
     * @param rankOwn    1-based rank of the target in the recommender's own top list (before any oracle), 0 when absent
     * @param call       index of the LLM call (into {@link Report#calls()}) that answered this sample
     * @param inventedTarget whether the LLM named the target although it was not a candidate
     */
    public record SampleOutcome(int sample, String dialogueId, int turn, int targetItem, int[] candidates, int[] llmList,
                                int rankShown, int rankLlm, int rankOwn, int call, boolean inventedTarget) {}

    /** One LLM call, with the reference response of its turn. */
    public record Call(LlmReranker.Result result, String reference, int inventedInCatalogue) {}

    public record Report(String split, int splitSamples, Oracle oracle, RerankSettings settings, List<SampleOutcome> samples, List<Call> calls) {}

    private RerankEvaluation() {}

    /**
     * @param progress receives a line now and then (may be null)
     * @throws LlmException when {@value #FAILURES_IN_A_ROW} calls in a row fail
     */
    public static Report run(PreparedDataset data, String splitName, PreparedSplit split, Recommender recommender, LlmReranker reranker,
                             RerankSettings settings, Oracle oracle, int limit, Consumer<String> progress) {
        ItemCatalogue items = data.items();
        Int2IntOpenHashMap itemOfEntity = new Int2IntOpenHashMap();
        itemOfEntity.defaultReturnValue(-1);
        for (int i = 0; i < data.itemEntity().length; i++) if (data.itemEntity()[i] >= 0) itemOfEntity.putIfAbsent(data.itemEntity()[i], i);
        List<String> allTitles = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) allTitles.add(items.get(i).title());
        TitleMatcher catalogue = new TitleMatcher(allTitles);

        List<RecommendationSample> all = split.recommendations();
        int[] chosen = choose(all.size(), limit, settings.sampling().seed());
        List<SampleOutcome> outcomes = new ArrayList<>(chosen.length);
        List<Call> calls = new ArrayList<>();
        Map<String, Integer> callOfPrompt = new HashMap<>();
        int failedInARow = 0, step = Math.max(1, chosen.length / 10);
        long started = System.nanoTime();
        for (int done = 0; done < chosen.length; done++) {
            int s = chosen[done];
            RecommendationSample sample = all.get(s);
            PreparedDialogue d = split.dialogues().get(sample.dialogue());
            int[] own = recommender.recommend(sample.contextEntities(), settings.candidates());
            int[] shown = withOracle(own, oracle, sample.itemEntity(), d, data.itemEntity(), settings, s);
            List<String> titles = new ArrayList<>(shown.length);
            for (int e : shown) titles.add(items.get(itemOfEntity.get(e)).title());
            List<String> context = ConversationText.lines(d.turns().subList(0, sample.turn()), items, settings.contextTurns());
            String prompt = reranker.render(context, titles);
            Integer callIndex = callOfPrompt.get(prompt);
            if (callIndex == null) {
                LlmReranker.Result r = reranker.rerank(context, titles);
                if (r.status() == LlmReranker.Status.FAILED) {
                    if (++failedInARow >= FAILURES_IN_A_ROW)
                        throw new LlmException(r.error() + " (" + FAILURES_IN_A_ROW + " calls in a row failed; stopping)");
                } else {
                    failedInARow = 0;
                }
                int inCatalogue = 0;
                for (String t : r.invented()) if (LlmReranker.match(catalogue, t) >= 0) inCatalogue++;
                String reference = ConversationText.text(d.turns().get(sample.turn()).text(), items);
                calls.add(new Call(r, reference, inCatalogue));
                callIndex = calls.size() - 1;
                callOfPrompt.put(prompt, callIndex);
            }
            LlmReranker.Result r = calls.get(callIndex).result();
            int[] llmList = new int[r.order().length];
            for (int i = 0; i < llmList.length; i++) llmList[i] = shown[r.order()[i]];
            boolean inventedTarget = false;
            TitleMatcher target = new TitleMatcher(List.of(items.get(sample.item()).title()));
            for (String t : r.invented()) inventedTarget |= LlmReranker.match(target, t) >= 0;
            outcomes.add(new SampleOutcome(s, d.id(), sample.turn(), sample.item(), shown, llmList, rank(shown, sample.itemEntity()),
                    rank(llmList, sample.itemEntity()), rank(own, sample.itemEntity()), callIndex, inventedTarget));
            if (progress != null && ((done + 1) % step == 0 || done + 1 == chosen.length))
                progress.accept(String.format(java.util.Locale.ROOT, "eval crs: %d/%d samples, %d LLM calls, %.1f s", done + 1, chosen.length,
                        calls.size(), (System.nanoTime() - started) / 1e9));
        }
        return new Report(splitName, all.size(), oracle, settings, List.copyOf(outcomes), List.copyOf(calls));
    }

    /** Indices 0..n-1, or {@code limit} of them drawn without replacement (partial Fisher–Yates), sorted. */
    static int[] choose(int n, int limit, long seed) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        if (limit <= 0 || limit >= n) return idx;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < limit; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i]; idx[i] = idx[j]; idx[j] = t;
        }
        int[] out = Arrays.copyOf(idx, limit);
        Arrays.sort(out);
        return out;
    }

    /** The candidate list as the oracle setting shows it (see the class comment). */
    static int[] withOracle(int[] own, Oracle oracle, int target, PreparedDialogue d, int[] itemEntity, RerankSettings settings, int sample) {
        if (oracle == Oracle.NONE) return own;
        LinkedHashSet<Integer> forced = new LinkedHashSet<>();
        if (oracle == Oracle.TRUTH) {
            forced.add(target);
        } else {
            for (PreparedTurn t : d.turns()) for (int item : t.items()) if (itemEntity[item] >= 0) forced.add(itemEntity[item]);
            forced.add(target);
        }
        List<Integer> missing = new ArrayList<>();
        for (int e : forced) if (rank(own, e) == 0) missing.add(e);
        int size = Math.max(settings.candidates(), forced.size());
        List<Integer> list = new ArrayList<>();
        for (int e : own) list.add(e);
        // make room by dropping the recommender's lowest-ranked items that are not forced
        for (int i = list.size() - 1; i >= 0 && list.size() + missing.size() > size; i--) if (!forced.contains(list.get(i))) list.remove(i);
        SplittableRandom rng = new SplittableRandom(settings.sampling().seed() * 1_000_003L + sample);
        for (int e : missing) list.add(rng.nextInt(list.size() + 1), e);
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    static int rank(int[] list, int entity) {
        for (int i = 0; i < list.length; i++) if (list[i] == entity) return i + 1;
        return 0;
    }
}

package org.crs4j.crs.rlpf;

import java.util.List;
import org.crs4j.crs.controller.Pair;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.crs.llm.Sampling;

/**
 * Episodes over (prompt, target) pairs: one generation per episode, HIT = 1 when the generated text equals the target
 * (both stripped of surrounding white space), BLEU not measured (0). For labels a controller must produce exactly —
 * a sub-task name, an expert id — this is the reward of getting it right.
 */
public final class ExactMatchEnvironment extends SingleCallEnvironment {
    private final List<Pair> pairs;
    private final int maxNewTokens;

    public ExactMatchEnvironment(List<Pair> pairs, int maxNewTokens) {
        if (pairs.isEmpty()) throw new IllegalArgumentException("the exact-match environment needs pairs");
        this.pairs = List.copyOf(pairs);
        this.maxNewTokens = maxNewTokens;
    }

    @Override
    public String describe() {
        return "exact-match environment: HIT = 1 when the output equals the target, " + pairs.size() + " pairs";
    }

    @Override
    public int size() {
        return pairs.size();
    }

    @Override
    protected LlmRequest request(int index) {
        return new LlmRequest("exact", pairs.get(index).prompt(), new Sampling(maxNewTokens, 1, 1, 0));
    }

    @Override
    protected Outcome measure(int index, LlmResponse r) {
        return Outcome.of(r.text().strip().equals(pairs.get(index).target().strip()) ? 1 : 0, 0);
    }
}

package org.crs4j.crs.rlpf;

import java.util.List;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.crs.llm.Sampling;

/**
 * A toy environment whose reward is known: each episode is one generation from one of the prompts, and HIT is 1 when
 * the generated ids contain the target token (BLEU is not measured: 0). Under REINFORCE the expected reward must rise
 * towards 1 as the policy learns to emit the token: the check that RLPF learns at all.
 */
public final class TargetTokenEnvironment extends SingleCallEnvironment {
    private final List<String> prompts;
    private final int target, maxNewTokens;
    private final String name;

    /**
     * @param name         how {@link #describe} names the token (its piece)
     * @param maxNewTokens tokens per episode
     */
    public TargetTokenEnvironment(List<String> prompts, int target, String name, int maxNewTokens) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("the token environment needs prompts");
        this.prompts = List.copyOf(prompts);
        this.target = target;
        this.name = name;
        this.maxNewTokens = maxNewTokens;
    }

    @Override
    public String describe() {
        return "token environment: HIT = 1 when " + maxNewTokens + " sampled tokens contain " + name + " (id " + target + "), "
                + prompts.size() + " prompts";
    }

    @Override
    public int size() {
        return prompts.size();
    }

    @Override
    protected LlmRequest request(int index) {
        return new LlmRequest("token", prompts.get(index), new Sampling(maxNewTokens, 1, 1, 0));
    }

    @Override
    protected Outcome measure(int index, LlmResponse r) {
        for (int id : r.outputIds()) if (id == target) return Outcome.of(1, 0);
        return Outcome.of(0, 0);
    }
}

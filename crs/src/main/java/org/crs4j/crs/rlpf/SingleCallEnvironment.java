package org.crs4j.crs.rlpf;

import java.util.ArrayList;
import java.util.List;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;

/**
 * An environment whose episode is one LLM call: a request per case, an outcome per response. Its episodes are
 * sampled as one batch (one forward pass per token for the whole step).
 */
public abstract class SingleCallEnvironment implements Environment {

    /** The one call of an episode on case {@code index}. */
    protected abstract LlmRequest request(int index);

    /** The outcome of case {@code index} given what the policy answered. */
    protected abstract Outcome measure(int index, LlmResponse response);

    @Override
    public final Outcome play(int index, Llm llm) {
        return measure(index, llm.complete(request(index)));
    }

    @Override
    public final List<Outcome> playAll(int[] indices, Policy policy) {
        int[] episodes = new int[indices.length];
        List<LlmRequest> requests = new ArrayList<>(indices.length);
        for (int i = 0; i < indices.length; i++) {
            episodes[i] = i;
            requests.add(request(indices[i]));
        }
        List<LlmResponse> responses = policy.completeAll(episodes, requests);
        List<Outcome> out = new ArrayList<>(indices.length);
        for (int i = 0; i < indices.length; i++) out.add(measure(indices[i], responses.get(i)));
        return out;
    }
}

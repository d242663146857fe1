package org.crs4j.crs.llmcrs;

import java.util.Set;
import java.util.function.Consumer;
import org.crs4j.crs.llm.Sampling;

/**
 * Per-turn choices: the ablations, the decoding of each LLM stage (RLPF samples with a temperature and top-p and a
 * seed per call; evaluation decodes greedily), and where the response's text goes as it is generated.
 *
 * @param stream receives the response text piece by piece (may be null)
 */
public record TurnOptions(Set<Ablation> ablations, Sampling detection, Sampling matching, Sampling response, Consumer<String> stream) {
    public TurnOptions {
        ablations = Set.copyOf(ablations);
        if (detection == null || matching == null || response == null) throw new IllegalArgumentException("every stage needs sampling settings");
    }

    /** Greedy decoding: 48 tokens for detection, 16 for matching, 128 for the response; no ablation, no stream. */
    public static TurnOptions greedy() {
        return new TurnOptions(Set.of(), Sampling.greedy(48), Sampling.greedy(16), Sampling.greedy(128), null);
    }

    public TurnOptions withAblations(Set<Ablation> a) { return new TurnOptions(a, detection, matching, response, stream); }

    public TurnOptions withStream(Consumer<String> s) { return new TurnOptions(ablations, detection, matching, response, s); }

    public TurnOptions withSampling(Sampling detection, Sampling matching, Sampling response) {
        return new TurnOptions(ablations, detection, matching, response, stream);
    }
}

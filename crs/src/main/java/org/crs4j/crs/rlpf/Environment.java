package org.crs4j.crs.rlpf;

import java.util.ArrayList;
import java.util.List;
import org.crs4j.crs.llm.Llm;

/**
 * What RLPF trains against (seed 000, §4: "the environment is the proposed LLMCRS platform"): a set of training
 * cases, each played as one episode in which the policy LLM is asked for text, and measured (HIT, BLEU, whether the
 * text parsed). LLMCRS plugs in as one implementation whose {@link #play} runs one LLMCRS turn on a training dialogue
 * with the given {@link Llm} as its controller.
 */
public interface Environment {

    /** One line for logs and checkpoints: what the cases are and how an episode is measured. */
    String describe();

    /** Number of training cases; episodes draw case indices in [0, size). */
    int size();

    /**
     * Plays one episode on case {@code index}. Every text the episode needs from the LLM is asked of {@code llm}: it
     * samples with RLPF's settings (whatever the request's sampling says, except its max new tokens) and records the
     * exact ids. Text that cannot be read must end the episode with {@link Outcome#unparsed()}, never an exception.
     */
    Outcome play(int index, Llm llm);

    /**
     * Plays one episode per case, episode {@code i} on case {@code indices[i]} through {@code policy.episode(i)}.
     * The default plays them one after the other; an environment whose episodes are single calls may batch them
     * through {@link Policy#completeAll}.
     */
    default List<Outcome> playAll(int[] indices, Policy policy) {
        List<Outcome> out = new ArrayList<>(indices.length);
        for (int i = 0; i < indices.length; i++) out.add(play(indices[i], policy.episode(i)));
        return out;
    }
}

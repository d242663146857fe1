package org.crs4j.crs.rlpf;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llmcrs.Demonstrations;
import org.crs4j.crs.llmcrs.Fallback;
import org.crs4j.crs.llmcrs.Llmcrs;
import org.crs4j.crs.llmcrs.LlmcrsSettings;
import org.crs4j.crs.llmcrs.PromptSet;
import org.crs4j.crs.llmcrs.TurnOptions;
import org.crs4j.crs.llmcrs.TurnResult;
import org.crs4j.crs.llmcrs.TurnSample;
import org.crs4j.crs.llmcrs.experts.RegistrySource;
import org.crs4j.crs.rec.ItemKeys;

/**
 * LLMCRS as RLPF's environment (seed 000, §4): an episode is one LLMCRS turn on a training sample — a recommender
 * turn with its ground-truth items and response ({@link TurnSample}) — with the policy as the controller of all four
 * stages, so the solution S is every text the controller generates in the turn: the sub-task with its arguments, the
 * expert's id (when the sub-task has several experts) and the response.
 *
 * <p>Measured as Figures 3–4 and Table 8 of seed 000 measure a turn: <b>HIT@{@value #HIT_AT}</b> — the share of the
 * turn's target items within the top {@value #HIT_AT} of what the turn recommends ({@link TurnResult#items()}: the items
 * the response names, then, for a Recommendation sub-task, the chosen expert's list filtered by the category
 * argument), so it moves with every decision the controller makes — and <b>BLEU-{@value #BLEU_ORDER}</b> of the
 * response against the ground truth, CRSLab's form ({@link TurnSample#bleu}).
 *
 * <p>An episode whose text cannot be read — a detection answer naming no sub-task, a matching answer naming no
 * registered expert, an empty response, or a call the policy could not answer — is {@link Outcome#unparsed()}:
 * reward 0, counted by kind in {@link #unparsedCounts()}, never an exception.
 *
 * <p>{@link #playAll} plays a step's episodes in lock step: each runs on its own thread and the policy answers the
 * calls they are waiting on together, one batched generation per round (detections, then matchings, then responses),
 * in episode order — the same samples on every run with the same seeds.
 */
public final class LlmcrsEnvironment implements Environment {
    public static final int HIT_AT = 10;
    public static final int BLEU_ORDER = 1;

    /** Fallbacks that mean the controller's own text could not be used. */
    static final Set<Fallback.Kind> UNPARSED = Set.of(Fallback.Kind.DETECTION_UNPARSED, Fallback.Kind.DETECTION_LLM_FAILED,
            Fallback.Kind.MATCHING_UNKNOWN_ID, Fallback.Kind.MATCHING_LLM_FAILED, Fallback.Kind.RESPONSE_EMPTY, Fallback.Kind.RESPONSE_LLM_FAILED,
            Fallback.Kind.RECOMMEND_LLM_FAILED, Fallback.Kind.RECOMMEND_NO_ITEM);

    private final String name;
    private final org.crs4j.crs.llmcrs.Environment env;
    private final RegistrySource registry;
    private final PromptSet prompts;
    private final Demonstrations demonstrations;
    private final LlmcrsSettings settings;
    private final TurnOptions options;
    private final List<TurnSample> samples;
    private final ItemKeys keys;
    private final Map<Fallback.Kind, Long> unparsed = new EnumMap<>(Fallback.Kind.class);

    /**
     * @param name    what the cases are, for logs and the checkpoint's identity (e.g. "inspired train")
     * @param options the ablations and each stage's max new tokens (the policy samples with the run's temperature
     *                and top-p whatever the options say)
     */
    public LlmcrsEnvironment(String name, org.crs4j.crs.llmcrs.Environment env, RegistrySource registry, PromptSet prompts, Demonstrations demonstrations,
                             LlmcrsSettings settings, TurnOptions options, List<TurnSample> samples) {
        if (samples.isEmpty()) throw new IllegalArgumentException(name + ": no recommender turns with a target item to train on");
        this.name = name;
        this.env = env;
        this.registry = registry;
        this.prompts = prompts;
        this.demonstrations = demonstrations;
        this.settings = settings;
        this.options = options;
        this.samples = List.copyOf(samples);
        this.keys = ItemKeys.of(env.data());
    }

    @Override
    public String describe() {
        return "llmcrs environment: " + name + ", " + samples.size() + " recommender turns with targets; HIT@" + HIT_AT + " and BLEU-" + BLEU_ORDER
                + (options.ablations().isEmpty() ? "" : "; ablations " + options.ablations().stream().map(a -> a.label()).sorted().toList());
    }

    @Override
    public int size() {
        return samples.size();
    }

    public TurnSample sample(int index) {
        return samples.get(index);
    }

    /** The pipeline with {@code llm} as its controller (cheap: the shared parts are referenced, not copied). */
    public Llmcrs pipeline(Llm llm) {
        return new Llmcrs(llm, env, registry, prompts, demonstrations, settings);
    }

    @Override
    public Outcome play(int index, Llm llm) {
        TurnSample s = samples.get(index);
        TurnResult r = pipeline(llm).turn(s.context(), options);
        return measure(s, r);
    }

    /** HIT@{@value #HIT_AT} and BLEU-{@value #BLEU_ORDER} of a turn, or unparsed (counted) when the controller's text was unusable. */
    public Outcome measure(TurnSample s, TurnResult r) {
        for (Fallback f : r.trace().fallbacks()) {
            if (UNPARSED.contains(f.kind())) {
                synchronized (unparsed) { unparsed.merge(f.kind(), 1L, Long::sum); }
                return Outcome.unparsed();
            }
        }
        double hit = TurnSample.hit(s.predictions(r, env, keys), HIT_AT);
        return Outcome.of(hit, TurnSample.bleu(r.response(), s.reference(env), BLEU_ORDER));
    }

    /** Unparsed episodes so far, by the fallback that made them so (the first in the turn). */
    public Map<Fallback.Kind, Long> unparsedCounts() {
        synchronized (unparsed) { return Map.copyOf(unparsed); }
    }

    @Override
    public List<Outcome> playAll(int[] indices, Policy policy) {
        return LockstepEpisodes.play(indices.length, policy, (i, llm) -> play(indices[i], llm));
    }
}

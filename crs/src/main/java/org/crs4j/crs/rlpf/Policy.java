package org.crs4j.crs.rlpf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.crs4j.autograd.GradMode;
import org.crs4j.crs.llm.Llm;
import org.crs4j.crs.llm.LlmRequest;
import org.crs4j.crs.llm.LlmResponse;
import org.crs4j.models.LanguageModel;
import org.crs4j.models.generation.Generation;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.tensor.Generator;

/**
 * The policy L(Θ) of seed 000, §4, during one RLPF step: it answers the episodes' LLM calls by sampling from the
 * model being trained (temperature and top-p as set for the run, no top-k) and records every answer's exact prompt and
 * output ids per episode, which {@link Reinforce} then scores as log P(S | Θ).
 *
 * <p>Sampling seeds are drawn from a per-step stream that is a pure function of (run seed, step), so a resumed run
 * samples exactly what the uninterrupted run sampled.
 *
 * <p>With temperature 1 and top-p 1 the samples come from P(· | Θ) itself and Eq. 3's estimate is unbiased; other
 * settings sample a sharpened or truncated distribution while the update still uses log P of the model (the usual
 * practice, and what the paper's equations write).
 */
public final class Policy {
    private final LanguageModel model;
    private final double temperature, topP;
    private final int maxNewTokens;
    private Generator seeds = new Generator(0);
    private final List<List<Sample>> episodes = new ArrayList<>();

    /**
     * @param temperature  > 0: REINFORCE needs samples, not greedy outputs
     * @param topP         in (0, 1]
     * @param maxNewTokens cap on any one call's generated tokens (a request may ask for fewer)
     */
    public Policy(LanguageModel model, double temperature, double topP, int maxNewTokens) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature: " + temperature + " must be > 0 (REINFORCE learns from samples, not greedy outputs)");
        }
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("--top-p: " + topP + " is outside (0, 1]");
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens: " + maxNewTokens + " must be >= 1");
        this.model = model;
        this.temperature = temperature;
        this.topP = topP;
        this.maxNewTokens = maxNewTokens;
    }

    public LanguageModel model() {
        return model;
    }

    public double temperature() {
        return temperature;
    }

    public double topP() {
        return topP;
    }

    /** Starts a step of {@code count} episodes whose sampling seeds come from {@code seed}'s stream. */
    void begin(long seed, int count) {
        seeds = new Generator(seed);
        episodes.clear();
        for (int i = 0; i < count; i++) episodes.add(new ArrayList<>());
    }

    /** What episode {@code i}'s LLM calls go through: each call samples and is recorded for that episode. */
    public Llm episode(int i) {
        checkEpisode(i);
        return new Llm() {
            @Override
            public String endpoint() {
                return "rlpf policy " + model.source();
            }

            @Override
            public LlmResponse complete(LlmRequest request) {
                return completeAll(new int[] {i}, List.of(request)).get(0);
            }
        };
    }

    /**
     * Samples answers to several requests as one batch (one forward pass per token for all of them): request
     * {@code r} belongs to episode {@code episodeOf[r]}. Streams of the requests are not fed.
     */
    public List<LlmResponse> completeAll(int[] episodeOf, List<LlmRequest> requests) {
        if (episodeOf.length != requests.size()) throw new IllegalArgumentException(episodeOf.length + " episodes for " + requests.size() + " requests");
        if (requests.isEmpty()) return List.of();
        long start = System.nanoTime();
        int[][] prompts = new int[requests.size()][];
        int longest = 1;
        for (int r = 0; r < prompts.length; r++) {
            checkEpisode(episodeOf[r]);
            prompts[r] = model.encodePrompt(requests.get(r).prompt());
            longest = Math.max(longest, limit(requests.get(r)));
        }
        GenerationConfig config = model.defaults().withMaxNewTokens(longest).withTemperature(temperature).withTopK(0)
                .withTopP(topP).withBeams(1, 1).withSeed(nextSeed());
        int[][] out;
        boolean training = model.module().isTraining();
        model.module().eval(); // the policy that samples is the one scored: no dropout
        try (var off = GradMode.off()) {
            out = Generation.generate(model.decoder(), prompts, config, null);
        } finally {
            if (training) model.module().train();
        }
        long each = (System.nanoTime() - start) / prompts.length;
        List<LlmResponse> responses = new ArrayList<>(prompts.length);
        for (int r = 0; r < prompts.length; r++) {
            int[] ids = out[r].length > limit(requests.get(r)) ? Arrays.copyOf(out[r], limit(requests.get(r))) : out[r];
            if (ids.length > 0) episodes.get(episodeOf[r]).add(new Sample(requests.get(r).stage(), prompts[r], ids));
            String text = model.decodeOutput(prompts[r], ids);
            responses.add(new LlmResponse(text, prompts[r].length, ids.length, each, prompts[r], ids));
        }
        return responses;
    }

    private int limit(LlmRequest request) {
        return Math.min(maxNewTokens, request.sampling().maxNewTokens());
    }

    private long nextSeed() {
        int[] w = new int[4];
        Generator.philox(seeds.advance(1), 0, seeds.seed(), w);
        return ((long) w[0] << 32) | (w[1] & 0xffffffffL);
    }

    private void checkEpisode(int i) {
        if (i < 0 || i >= episodes.size()) throw new IllegalArgumentException("episode " + i + " is not in this step's " + episodes.size());
    }

    /** Everything episode {@code i} generated, in order. */
    public List<Sample> samples(int i) {
        checkEpisode(i);
        return List.copyOf(episodes.get(i));
    }
}

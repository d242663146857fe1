package org.crs4j.crs.rlpf;

import java.util.ArrayList;
import java.util.List;
import org.crs4j.autograd.Variable;
import org.crs4j.models.LanguageModel;
import org.crs4j.tensor.Tensor;

/**
 * REINFORCE with a baseline, exactly as seed 000 writes it (Eq. 3-5):
 * <pre>
 *   ∇J(Θ) ≈ (1/B) Σ_i ∇ log P(S_i | Θ) · (R_i − b)          over the B episodes of a batch
 *   log P(S_i | Θ) = Σ over every text episode i generated, Σ over its tokens, log p(token | prompt, tokens before)
 * </pre>
 * implemented as gradient descent on the surrogate loss L = −(1/B) Σ_i (R_i − b) · log P(S_i | Θ), whose gradient is
 * minus that estimate. The log-probabilities come from {@link LanguageModel#logProbs} on the exact sampled ids, so the
 * gradient reaches every trainable parameter.
 */
public final class Reinforce {
    private Reinforce() {}

    /** A played episode: what it generated and the reward it earned. */
    public record Episode(List<Sample> samples, double reward) {}

    /**
     * Backpropagates L (gradients add into the trainable parameters' {@code grad}), scoring at most
     * {@code microBatch} samples per forward pass (the pieces' gradients add up to L's exactly); returns L's value.
     * Episodes that generated nothing contribute nothing.
     */
    public static double backward(LanguageModel model, List<Episode> episodes, double baseline, int microBatch) {
        if (microBatch < 1) throw new IllegalArgumentException("--micro-batch: " + microBatch + " must be >= 1");
        List<Sample> samples = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        flatten(episodes, baseline, samples, weights);
        double loss = 0;
        for (int from = 0; from < samples.size(); from += microBatch) {
            int to = Math.min(samples.size(), from + microBatch);
            Variable logP = logProbs(model, samples.subList(from, to));
            double[] w = new double[to - from];
            for (int j = 0; j < w.length; j++) w[j] = weights.get(from + j);
            surrogate(logP, w).backward();
            double[] lp = logP.data().toDoubleArray();
            for (int j = 0; j < w.length; j++) loss -= w[j] * lp[j];
        }
        return loss;
    }

    /** L as one differentiable scalar (every sample in one forward pass). */
    public static Variable loss(LanguageModel model, List<Episode> episodes, double baseline) {
        List<Sample> samples = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        flatten(episodes, baseline, samples, weights);
        if (samples.isEmpty()) return Variable.constant(0.0);
        double[] w = weights.stream().mapToDouble(Double::doubleValue).toArray();
        return surrogate(logProbs(model, samples), w);
    }

    /** −Σ_j w_j · logP_j: each sample weighed by its episode's (R − b) / B. */
    static Variable surrogate(Variable logP, double[] weights) {
        Tensor w = Tensor.of(weights.clone(), weights.length).to(logP.dtype()); // F64 models keep the weights exact
        return logP.mul(Variable.constant(w)).sum().neg();
    }

    private static Variable logProbs(LanguageModel model, List<Sample> samples) {
        int[][] prompts = new int[samples.size()][], outputs = new int[samples.size()][];
        for (int j = 0; j < prompts.length; j++) {
            prompts[j] = samples.get(j).promptIds();
            outputs[j] = samples.get(j).outputIds();
        }
        return model.logProbs(prompts, outputs);
    }

    private static void flatten(List<Episode> episodes, double baseline, List<Sample> samples, List<Double> weights) {
        if (episodes.isEmpty()) throw new IllegalArgumentException("a REINFORCE update needs at least one episode");
        double b = episodes.size();
        for (Episode e : episodes) {
            if (!Double.isFinite(e.reward())) throw new IllegalArgumentException("reward " + e.reward() + " is not a finite number");
            for (Sample s : e.samples()) {
                samples.add(s);
                weights.add((e.reward() - baseline) / b);
            }
        }
    }
}

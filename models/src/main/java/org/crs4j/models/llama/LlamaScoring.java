package org.crs4j.models.llama;

import java.util.Arrays;
import java.util.List;
import org.crs4j.autograd.Variable;
import org.crs4j.models.generation.GenerationLimits;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * Differentiable scores of token sequences under a {@link LlamaModel}: what RLPF (summed log-probabilities of a
 * continuation, backpropagated into the trainable parameters) and supervised fine-tuning (the teacher-forced
 * cross-entropy) need. Full sequences run without a KV cache, so the graph is recorded whenever grad mode is on.
 */
public final class LlamaScoring {
    private LlamaScoring() {}

    /** Label value that excludes a position from the loss (Hugging Face's ignore index). */
    public static final int IGNORE = -100;

    /** sum_t log p(continuation[t] | prompt, continuation[<t]), a scalar. The prompt must not be empty (BOS). */
    public static Variable logProb(LlamaModel model, int[] prompt, int[] continuation) {
        return logProbs(model, List.of(prompt), List.of(continuation)).select(0, 0);
    }

    /**
     * Summed log-probabilities of each continuation given its prompt, [B]. The pairs run as one right-padded batch
     * (padding is masked and excluded).
     */
    public static Variable logProbs(LlamaModel model, List<int[]> prompts, List<int[]> continuations) {
        if (prompts.size() != continuations.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException(prompts.size() + " prompts for " + continuations.size() + " continuations");
        }
        int b = prompts.size(), longest = 0;
        for (int r = 0; r < b; r++) {
            if (prompts.get(r).length == 0) throw new IllegalArgumentException("prompt " + r + " is empty: the first continuation token needs a context (BOS)");
            model.context().checkScoring(r, prompts.get(r).length, continuations.get(r).length);
            GenerationLimits.checkIds("prompt " + r, prompts.get(r), model.vocabSize());
            GenerationLimits.checkIds("continuation " + r, continuations.get(r), model.vocabSize());
            longest = Math.max(longest, prompts.get(r).length + continuations.get(r).length);
        }
        long[] ids = new long[b * longest];
        boolean[] real = new boolean[b * longest];
        long[] labels = new long[b * longest];
        Arrays.fill(labels, IGNORE);
        for (int r = 0; r < b; r++) {
            int[] p = prompts.get(r), c = continuations.get(r);
            for (int j = 0; j < p.length + c.length; j++) {
                ids[r * longest + j] = j < p.length ? p[j] : c[j - p.length];
                real[r * longest + j] = true;
                if (j >= p.length) labels[r * longest + j] = c[j - p.length];
            }
        }
        Tensor idT = Tensor.of(ids, b, longest), mask = Tensor.ofBool(real, b, longest), lab = Tensor.of(labels, b, longest);
        return tokenLogProbs(model, idT, mask, lab).sum(1, false);
    }

    /**
     * Mean cross-entropy of predicting labels[t] from tokens before t, over positions whose label is not
     * {@link #IGNORE}: Hugging Face's causal-LM loss (labels are the input ids, shifted inside).
     *
     * @param ids           [B, T]
     * @param attentionMask [B, T] true/1 for real tokens (right padding), or null
     * @param labels        [B, T], usually the ids with IGNORE at padding and prompt positions
     */
    public static Variable loss(LlamaModel model, Tensor ids, Tensor attentionMask, Tensor labels) {
        Variable lp = tokenLogProbs(model, ids, attentionMask, labels);
        long count = labels.narrow(1, 1, labels.size(1) - 1).ne(IGNORE).to(DType.I64).sum().toLongArray()[0];
        if (count == 0) throw new IllegalArgumentException("every label is ignored: nothing to learn from");
        return lp.sum().neg().div(count);
    }

    /**
     * log p(labels[t] | ids[<t]) at every position t >= 1, [B, T-1], 0 where labels[t] is IGNORE.
     */
    private static Variable tokenLogProbs(LlamaModel model, Tensor ids, Tensor attentionMask, Tensor labels) {
        if (!Arrays.equals(ids.shape(), labels.shape())) {
            throw new IllegalArgumentException("labels " + Arrays.toString(labels.shape()) + " do not match ids " + Arrays.toString(ids.shape()));
        }
        int t = ids.size(1);
        if (t < 2) throw new IllegalArgumentException("scoring needs at least two tokens per row");
        model.context().checkSequence("a scored sequence", t);
        Tensor keyMask = attentionMask == null ? null : attentionMask.dtype() == DType.BOOL ? attentionMask : attentionMask.ne(0);
        Variable logits = model.forward(ids, null, keyMask, null).narrow(1, 0, t - 1);
        Tensor target = labels.narrow(1, 1, t - 1).to(DType.I64);
        Tensor keep = target.ne(IGNORE);
        Tensor safeTarget = Tensor.where(keep, target, Tensor.scalar(0, DType.I64)).unsqueeze(-1);
        Variable picked = logits.logSoftmax(-1).gather(-1, safeTarget).squeeze(-1);
        return picked.mul(Variable.constant(keep.to(DType.F32)));
    }
}

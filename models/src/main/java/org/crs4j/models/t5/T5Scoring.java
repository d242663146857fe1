package org.crs4j.models.t5;

import java.util.Arrays;
import java.util.List;
import org.crs4j.autograd.Variable;
import org.crs4j.models.generation.GenerationLimits;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * Differentiable scores of T5 outputs: the summed log-probability of a target sequence given an input (RLPF's
 * log P(S | Θ), backpropagated into the trainable parameters) and Hugging Face's teacher-forced loss (supervised
 * fine-tuning). Full sequences run without caches, so the graph is recorded whenever grad mode is on.
 *
 * <p>The decoder input is the target shifted right behind decoder_start_token_id (HF's {@code _shift_right}); a
 * target is scored as given, so a complete T5 output should end with EOS, as the sequences {@code generate} returns
 * (and HF's tokenizer writes labels) do.
 */
public final class T5Scoring {
    private T5Scoring() {}

    /** Label value that excludes a position from the loss (Hugging Face's ignore index, as LlamaScoring.IGNORE). */
    public static final int IGNORE = -100;

    /** sum_t log p(target[t] | input, target[<t]), a scalar. */
    public static Variable logProb(T5Model model, int[] input, int[] target) {
        return logProbs(model, List.of(input), List.of(target)).select(0, 0);
    }

    /**
     * Summed log-probabilities of each target given its input, [B]: the pairs run as one batch, inputs padded and
     * masked, targets padded with {@link #IGNORE}.
     */
    public static Variable logProbs(T5Model model, List<int[]> inputs, List<int[]> targets) {
        if (inputs.size() != targets.size() || inputs.isEmpty()) {
            throw new IllegalArgumentException(inputs.size() + " inputs for " + targets.size() + " targets");
        }
        for (int r = 0; r < targets.size(); r++) {
            if (targets.get(r).length == 0) throw new IllegalArgumentException("target " + r + " is empty: nothing to score");
            model.context().checkScoring(r, inputs.get(r).length, targets.get(r).length);
            GenerationLimits.checkIds("input " + r, inputs.get(r), model.vocabSize());
            GenerationLimits.checkIds("target " + r, targets.get(r), model.vocabSize());
        }
        Tensor[] enc = padded(inputs, 0, "input");
        Tensor labels = padded(targets, IGNORE, "target")[0];
        return tokenLogProbs(model, enc[0], enc[1], labels).sum(1, false);
    }

    /**
     * Mean cross-entropy over the labels that are not {@link #IGNORE}: Hugging Face's
     * {@code T5ForConditionalGeneration(input_ids, attention_mask, labels).loss}.
     *
     * @param inputIds      [B, S] encoder inputs
     * @param attentionMask [B, S] true/1 for real input tokens, or null
     * @param labels        [B, T] target ids, IGNORE where nothing is to be learnt (padding)
     */
    public static Variable loss(T5Model model, Tensor inputIds, Tensor attentionMask, Tensor labels) {
        long count = labels.ne(IGNORE).to(DType.I64).sum().toLongArray()[0];
        if (count == 0) throw new IllegalArgumentException("every label is ignored: nothing to learn from");
        return tokenLogProbs(model, inputIds, attentionMask, labels).sum().neg().div(count);
    }

    /** HF's {@code _shift_right}: decoder_start_token_id, then labels[:-1], with IGNORE replaced by the pad id. */
    public static Tensor shiftRight(Tensor labels, int decoderStartTokenId, int padTokenId) {
        if (labels.dim() != 2) throw new IllegalArgumentException("labels must be [batch, length], got " + Arrays.toString(labels.shape()));
        int b = labels.size(0), t = labels.size(1);
        long[] l = labels.to(DType.I64).toLongArray(), out = new long[b * t];
        for (int r = 0; r < b; r++) {
            out[r * t] = decoderStartTokenId;
            for (int j = 1; j < t; j++) {
                long v = l[r * t + j - 1];
                out[r * t + j] = v == IGNORE ? padTokenId : v;
            }
        }
        return Tensor.of(out, b, t);
    }

    /** log p(labels[b, t] | inputs, labels[b, <t]), [B, T], 0 where the label is IGNORE. */
    private static Variable tokenLogProbs(T5Model model, Tensor inputIds, Tensor attentionMask, Tensor labels) {
        if (labels.dim() != 2 || inputIds.dim() != 2 || labels.size(0) != inputIds.size(0)) {
            throw new IllegalArgumentException("labels " + Arrays.toString(labels.shape()) + " do not fit input ids "
                    + Arrays.toString(inputIds.shape()));
        }
        int vocab = model.config().vocabSize();
        for (long v : labels.to(DType.I64).toLongArray()) {
            if (v != IGNORE && (v < 0 || v >= vocab)) {
                throw new IllegalArgumentException("label " + v + " is neither a token id in [0, " + vocab + ") nor " + IGNORE);
            }
        }
        T5Config c = model.config();
        Tensor decoderInput = shiftRight(labels, c.decoderStartTokenId(), c.padTokenId());
        Variable logits = model.forward(inputIds, attentionMask, decoderInput);
        Tensor target = labels.to(DType.I64);
        Tensor keep = target.ne(IGNORE);
        Tensor safeTarget = Tensor.where(keep, target, Tensor.scalar(0, DType.I64)).unsqueeze(-1);
        Variable picked = logits.logSoftmax(-1).gather(-1, safeTarget).squeeze(-1);
        return picked.mul(Variable.constant(keep.to(DType.F32)));
    }

    /** Rows right-padded with {@code fill}: {ids [B, L], mask [B, L] BOOL}. */
    private static Tensor[] padded(List<int[]> rows, int fill, String what) {
        int b = rows.size(), longest = 0;
        for (int r = 0; r < b; r++) {
            if (rows.get(r).length == 0) throw new IllegalArgumentException(what + " " + r + " is empty");
            longest = Math.max(longest, rows.get(r).length);
        }
        long[] ids = new long[b * longest];
        boolean[] real = new boolean[b * longest];
        Arrays.fill(ids, fill);
        for (int r = 0; r < b; r++) {
            int[] row = rows.get(r);
            for (int j = 0; j < row.length; j++) {
                ids[r * longest + j] = row[j];
                real[r * longest + j] = true;
            }
        }
        return new Tensor[] {Tensor.of(ids, b, longest), Tensor.ofBool(real, b, longest)};
    }
}

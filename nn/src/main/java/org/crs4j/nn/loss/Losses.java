package org.crs4j.nn.loss;

import java.util.Arrays;
import org.crs4j.autograd.Variable;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Shape;
import org.crs4j.tensor.Tensor;

/**
 * Loss functions with PyTorch's semantics ({@code torch.nn.functional}), composed from differentiable
 * {@link Variable} ops so that their gradients come from autograd and are checked by finite differences.
 *
 * <p>One difference of layout from torch: the class dimension is the <em>last</em> one ({@code [..., C]}, as
 * language-model logits {@code [batch, time, vocab]} come), where torch puts it at dim 1. Everything else — ignore
 * index, label smoothing, reductions, the mean over zero elements being NaN — is torch's.
 */
public final class Losses {
    private Losses() {}

    /** torch's default {@code ignore_index}. */
    public static final int IGNORE_INDEX = -100;

    // ------------------------------------------------------------------ classification

    /** Cross-entropy of logits {@code [..., C]} against class ids {@code [...]}, mean over all targets. */
    public static Variable crossEntropy(Variable logits, Tensor target) {
        return crossEntropy(logits, target, IGNORE_INDEX, 0, Reduction.MEAN);
    }

    /**
     * Cross-entropy of logits {@code [..., C]} against integer class ids {@code [...]} (torch
     * {@code F.cross_entropy(..., ignore_index, label_smoothing, reduction)}).
     *
     * <p>Targets equal to {@code ignoreIndex} contribute nothing; {@link Reduction#MEAN} divides by the number of
     * the others, so a batch whose targets are all ignored (or empty) gives NaN, as in torch. With label smoothing
     * e the loss per target is {@code (1 - e) * nll + e/C * (-sum_c log p_c)}, i.e. the target distribution is
     * {@code (1 - e) * one_hot + e/C}.
     */
    public static Variable crossEntropy(Variable logits, Tensor target, int ignoreIndex, double labelSmoothing,
                                        Reduction reduction) {
        checkSmoothing(labelSmoothing);
        Variable logp = logits.logSoftmax(-1);
        return nllWithSmoothing(logp, target, ignoreIndex, labelSmoothing, reduction, "cross_entropy");
    }

    /**
     * Cross-entropy against class probabilities of the logits' shape (torch's "soft target" form): per row
     * {@code -sum_c target_c log softmax(logits)_c}, with the targets first smoothed to
     * {@code (1 - e) * target + e/C}. MEAN divides by the number of rows.
     */
    public static Variable crossEntropy(Variable logits, Variable targetProbs, double labelSmoothing, Reduction reduction) {
        checkSmoothing(labelSmoothing);
        requireSameShape("cross_entropy", "logits", logits.shape(), "target probabilities", targetProbs.shape());
        requireNotBatchmean("cross_entropy", reduction);
        int classes = logits.size(-1);
        Variable t = labelSmoothing == 0 ? targetProbs : targetProbs.mul(1 - labelSmoothing).add(labelSmoothing / classes);
        Variable perRow = logits.logSoftmax(-1).mul(t).sum(-1, false).neg();
        return reduction.apply(perRow);
    }

    /** Negative log-likelihood of log-probabilities {@code [..., C]} at integer targets {@code [...]} (torch nll_loss). */
    public static Variable nll(Variable logProbs, Tensor target, int ignoreIndex, Reduction reduction) {
        return nllWithSmoothing(logProbs, target, ignoreIndex, 0, reduction, "nll_loss");
    }

    private static Variable nllWithSmoothing(Variable logp, Tensor target, int ignoreIndex, double smoothing,
                                             Reduction reduction, String op) {
        if (logp.dim() == 0) throw new IllegalArgumentException(op + ": input must have a class dimension, got a scalar");
        int classes = logp.size(-1);
        int[] expected = Arrays.copyOf(logp.shape(), logp.dim() - 1);
        if (!target.dtype().isInteger()) {
            throw new IllegalArgumentException(op + ": target must hold integer class ids (I32/I64), got " + target.dtype()
                    + "; for class probabilities use the soft-target form");
        }
        if (!Arrays.equals(expected, target.shape())) {
            throw new IllegalArgumentException(op + ": input of shape " + Shape.toString(logp.shape())
                    + " (classes last) needs a target of shape " + Shape.toString(expected) + ", got "
                    + Shape.toString(target.shape()));
        }
        requireNotBatchmean(op, reduction);
        Tensor ignored = target.eq(ignoreIndex);
        Tensor ids = target.maskedFill(ignored, 0).to(DType.I64);
        checkClassRange(op, ids, classes);

        Variable zero = Variable.constant(Tensor.scalar(0, logp.dtype() == DType.F64 ? DType.F64 : DType.F32));
        // where() rather than multiplying by a 0/1 mask: an ignored row may hold -inf, and -inf * 0 is NaN
        Variable nll = Variable.where(ignored, zero, logp.gather(-1, ids.unsqueeze(-1)).squeeze(-1).neg());
        Variable smooth = smoothing == 0 ? null : Variable.where(ignored, zero, logp.sum(-1, false).neg());
        return switch (reduction) {
            case NONE -> smooth == null ? nll : nll.mul(1 - smoothing).add(smooth.mul(smoothing / classes));
            case SUM, MEAN -> {
                // MEAN: divide by the non-ignored count; 0/0 = NaN when there are none, as in torch
                double count = reduction == Reduction.SUM ? 1 : ignored.not().to(DType.F64).sum().item();
                Variable loss = nll.sum().div(count);
                yield smooth == null ? loss : loss.mul(1 - smoothing).add(smooth.sum().div(count).mul(smoothing / classes));
            }
            case BATCHMEAN -> throw new AssertionError();
        };
    }

    private static void checkClassRange(String op, Tensor ids, int classes) {
        if (ids.numel() == 0) return;
        long[] v = ids.toLongArray();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] >= classes) {
                throw new IndexOutOfBoundsException(op + ": target " + v[i] + " at flat position " + i
                        + " is outside [0, " + classes + ") and is not the ignore index");
            }
        }
    }

    private static void checkSmoothing(double e) {
        if (!(e >= 0 && e <= 1)) throw new IllegalArgumentException("label smoothing must be in [0, 1], got " + e);
    }

    // ------------------------------------------------------------------ distributions

    /**
     * KL divergence with torch {@code F.kl_div(input, target, reduction, log_target)} semantics: {@code input}
     * holds log-probabilities; the pointwise loss is {@code target * (log target - input)}, taken as 0 where target
     * is 0 (or {@code exp(target) * (target - input)} with {@code logTarget}). So {@code klDiv(log q, p)} is
     * KL(p || q): Eq. 8's KL(p̄ || p) is {@code klDiv(p.log(), p̄)}. Use {@link Reduction#BATCHMEAN} for the true
     * per-sample KL; MEAN averages over every element, as torch's 'mean' does.
     */
    public static Variable klDiv(Variable input, Variable target, Reduction reduction, boolean logTarget) {
        requireSameShape("kl_div", "input", input.shape(), "target", target.shape());
        Variable pointwise;
        if (logTarget) {
            pointwise = target.exp().mul(target.sub(input));
        } else {
            // xlogy(t, t) - t * input, with 0 log 0 = 0; log of 1 where t == 0 keeps the gradient finite
            Tensor zero = target.data().eq(0);
            Variable safe = Variable.where(zero, Variable.constant(1.0), target);
            pointwise = target.mul(safe.log()).sub(target.mul(input));
        }
        return reduction.apply(pointwise);
    }

    /**
     * Cosine similarity along {@code dim} (torch 1.13 {@code F.cosine_similarity}): each input is divided by its
     * norm clamped to at least {@code eps}, then the products are summed, so the result stays in [-1, 1]. Inputs
     * broadcast. Where a norm is below eps the clamp is constant and contributes no gradient (torch 1.13's
     * in-place clamp leaks a small spurious term there; above eps the two agree).
     */
    public static Variable cosineSimilarity(Variable x1, Variable x2, int dim, double eps) {
        int[] shape = broadcastShapes("cosine_similarity", x1.shape(), x2.shape());
        int d = Shape.normalizeDim(dim, shape.length);
        // torch broadcasts first, so a norm runs over the expanded values
        Variable a = Arrays.equals(x1.shape(), shape) ? x1 : x1.expand(shape);
        Variable b = Arrays.equals(x2.shape(), shape) ? x2 : x2.expand(shape);
        return a.div(clampedNorm(a, d, eps)).mul(b.div(clampedNorm(b, d, eps))).sum(d, false);
    }

    /** torch's default eps for cosine similarity. */
    public static Variable cosineSimilarity(Variable x1, Variable x2, int dim) {
        return cosineSimilarity(x1, x2, dim, 1e-8);
    }

    /** max(||x||, eps) along dim (kept), as sqrt(max(sum x^2, eps^2)): same value, finite gradient at x = 0. */
    private static Variable clampedNorm(Variable x, int dim, double eps) {
        Variable sq = x.square().sum(dim, true);
        return sq.maximum(Variable.constant(Tensor.scalar(eps * eps, sq.dtype() == DType.F64 ? DType.F64 : DType.F32))).sqrt();
    }

    // ------------------------------------------------------------------ regression and binary

    /** Mean squared error (torch F.mse_loss); shapes must be equal. */
    public static Variable mse(Variable input, Variable target, Reduction reduction) {
        requireSameShape("mse_loss", "input", input.shape(), "target", target.shape());
        requireNotBatchmean("mse_loss", reduction);
        return reduction.apply(input.sub(target).square());
    }

    /**
     * Binary cross-entropy on logits (torch F.binary_cross_entropy_with_logits), in torch's overflow-free form
     * {@code (1 - y) x + w (log(exp(-m) + exp(-x - m)) + m)} with {@code m = max(-x, 0)} and
     * {@code w = 1 + (pos_weight - 1) y}. {@code posWeight} (may be null) broadcasts against the input, usually one
     * weight per class along the last dim.
     */
    public static Variable bceWithLogits(Variable input, Variable target, Variable posWeight, Reduction reduction) {
        requireSameShape("binary_cross_entropy_with_logits", "input", input.shape(), "target", target.shape());
        requireNotBatchmean("binary_cross_entropy_with_logits", reduction);
        if (posWeight != null) broadcastShapes("binary_cross_entropy_with_logits pos_weight", posWeight.shape(), input.shape());
        Variable m = input.neg().clamp(0, Double.POSITIVE_INFINITY);
        Variable softplus = m.neg().exp().add(input.neg().sub(m).exp()).log().add(m); // log(1 + exp(-x))
        Variable weight = posWeight == null ? null : posWeight.sub(1).mul(target).add(1);
        Variable loss = target.neg().add(1).mul(input).add(weight == null ? softplus : weight.mul(softplus));
        return reduction.apply(loss);
    }

    public static Variable bceWithLogits(Variable input, Variable target) {
        return bceWithLogits(input, target, null, Reduction.MEAN);
    }

    // ------------------------------------------------------------------ checks

    private static void requireSameShape(String op, String a, int[] sa, String b, int[] sb) {
        if (!Arrays.equals(sa, sb)) {
            throw new IllegalArgumentException(op + ": " + a + " has shape " + Shape.toString(sa) + " but " + b
                    + " has shape " + Shape.toString(sb) + "; they must be equal");
        }
    }

    private static int[] broadcastShapes(String op, int[] a, int[] b) {
        try {
            return Shape.broadcast(a, b);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": shapes " + Shape.toString(a) + " and " + Shape.toString(b)
                    + " do not broadcast", e);
        }
    }

    private static void requireNotBatchmean(String op, Reduction r) {
        if (r == Reduction.BATCHMEAN) throw new IllegalArgumentException(op + ": BATCHMEAN is only defined for kl_div");
    }
}

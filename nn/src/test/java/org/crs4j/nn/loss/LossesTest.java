package org.crs4j.nn.loss;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.crs4j.autograd.GradCheck;
import org.crs4j.autograd.Variable;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.testing.RandomTensors;
import org.junit.jupiter.api.Test;

/**
 * Each loss against a naive double-precision reference written from torch's documented formulas, and its gradient
 * against finite differences. (PyTorch's own outputs are checked in TorchParityTest.)
 */
class LossesTest {
    private final RandomTensors random = new RandomTensors(77);
    private final SplittableRandom rng = new SplittableRandom(5);

    private Tensor x(int... shape) {
        return random.uniform(shape, DType.F64, -3, 3);
    }

    private static Variable c(Tensor t) {
        return Variable.constant(t);
    }

    private Tensor targets(int n, int classes, double ignoreShare) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) t[i] = rng.nextDouble() < ignoreShare ? Losses.IGNORE_INDEX : rng.nextInt(classes);
        return Tensor.of(t, n);
    }

    /** (1 - e) * nll + e/C * sum_c -log p_c, mean over non-ignored rows. */
    private static double refCrossEntropy(double[] logits, long[] target, int classes, double e, Reduction r) {
        double total = 0;
        int count = 0;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == Losses.IGNORE_INDEX) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) max = Math.max(max, logits[i * classes + k]);
            double z = 0;
            for (int k = 0; k < classes; k++) z += Math.exp(logits[i * classes + k] - max);
            double lse = max + Math.log(z);
            double nll = lse - logits[i * classes + (int) target[i]];
            double smooth = 0;
            for (int k = 0; k < classes; k++) smooth += lse - logits[i * classes + k];
            total += (1 - e) * nll + e / classes * smooth;
            count++;
        }
        return r == Reduction.SUM ? total : total / count;
    }

    @Test
    void crossEntropyMatchesTheReferenceWithIgnoreIndexAndLabelSmoothing() {
        for (double e : new double[] {0, 0.1, 0.35}) {
            for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM}) {
                Tensor logits = x(7, 5);
                Tensor target = targets(7, 5, 0.3);
                double got = Losses.crossEntropy(c(logits.to(DType.F32)), target, Losses.IGNORE_INDEX, e, r).item();
                double ref = refCrossEntropy(logits.toDoubleArray(), target.toLongArray(), 5, e, r);
                assertEquals(ref, got, 1e-5 * Math.max(1, Math.abs(ref)), "smoothing " + e + " " + r);
            }
        }
    }

    @Test
    void crossEntropyOverLeadingDimsAndPerElement() {
        Tensor logits = x(2, 3, 4);
        Tensor target = Tensor.of(new long[] {0, 3, -100, 1, 2, 2}, 2, 3);
        Tensor per = Losses.crossEntropy(c(logits), target, -100, 0.2, Reduction.NONE).data();
        assertArrayEquals(new int[] {2, 3}, per.shape());
        assertEquals(0, per.get(0, 2), "ignored targets contribute 0");
        double[] flat = logits.reshape(6, 4).toDoubleArray();
        long[] t = target.reshape(6).toLongArray();
        for (int i = 0; i < 6; i++) {
            if (t[i] == -100) continue;
            double ref = refCrossEntropy(java.util.Arrays.copyOfRange(flat, i * 4, i * 4 + 4), new long[] {t[i]}, 4, 0.2, Reduction.SUM);
            assertEquals(ref, per.get(i / 3, i % 3), 1e-9);
        }
        // the mean over non-ignored equals the sum of the per-element losses over their count
        double mean = Losses.crossEntropy(c(logits), target, -100, 0.2, Reduction.MEAN).item();
        assertEquals(per.sum().item() / 5, mean, 1e-9);
    }

    @Test
    void crossEntropyIsStableForHugeLogitsAndIgnoresInfiniteIgnoredRows() {
        Tensor logits = Tensor.of(new float[] {1000, 0, -1000, Float.NEGATIVE_INFINITY, 0, 0}, 2, 3);
        Tensor target = Tensor.of(new long[] {1, -100}, 2);
        Variable v = Variable.parameter(logits);
        Variable loss = Losses.crossEntropy(v, target);
        assertEquals(1000, loss.item(), 1e-3);
        loss.backward();
        for (float g : v.grad().toFloatArray()) assertFalse(Float.isNaN(g));
    }

    @Test
    void allIgnoredOrEmptyBatchesGiveNaNForTheMeanAsTorch() {
        Tensor logits = x(3, 4);
        Tensor ignored = Tensor.of(new long[] {-100, -100, -100}, 3);
        assertTrue(Double.isNaN(Losses.crossEntropy(c(logits), ignored).item()));
        assertEquals(0, Losses.crossEntropy(c(logits), ignored, -100, 0, Reduction.SUM).item());
        assertTrue(Double.isNaN(Losses.crossEntropy(c(Tensor.zeros(0, 4)), Tensor.of(new long[0], 0)).item()));
        assertTrue(Double.isNaN(Losses.mse(c(Tensor.zeros(0)), c(Tensor.zeros(0)), Reduction.MEAN).item()));
    }

    @Test
    void badShapesAndTargetsAreNamed() {
        Tensor logits = x(3, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(c(logits), Tensor.of(new long[] {0, 1}, 2)));
        assertTrue(e.getMessage().contains("[3, 4]") && e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
        var oob = assertThrows(IndexOutOfBoundsException.class, () -> Losses.crossEntropy(c(logits), Tensor.of(new long[] {0, 4, 1}, 3)));
        assertTrue(oob.getMessage().contains("target 4"), oob.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(c(logits), Tensor.zeros(3)));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(c(logits), Tensor.of(new long[] {0, 1, 2}, 3), -100, 1.5, Reduction.MEAN));
        var kl = assertThrows(IllegalArgumentException.class, () -> Losses.klDiv(c(logits), c(x(4, 3)), Reduction.SUM, false));
        assertTrue(kl.getMessage().contains("[3, 4]") && kl.getMessage().contains("[4, 3]"), kl.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.mse(c(logits), c(x(4)), Reduction.MEAN));
        assertThrows(IllegalArgumentException.class, () -> Losses.cosineSimilarity(c(x(3, 4)), c(x(2, 4)), 1));
        assertThrows(IllegalArgumentException.class, () -> Losses.mse(c(logits), c(logits), Reduction.BATCHMEAN));
    }

    @Test
    void softTargetCrossEntropyEqualsHardTargetsOnOneHots() {
        Tensor logits = x(4, 6);
        Tensor ids = Tensor.of(new long[] {5, 0, 2, 2}, 4);
        Tensor oneHot = ids.oneHot(6).to(DType.F64);
        for (double e : new double[] {0, 0.2}) {
            double hard = Losses.crossEntropy(c(logits), ids, -100, e, Reduction.MEAN).item();
            double soft = Losses.crossEntropy(c(logits), c(oneHot), e, Reduction.MEAN).item();
            assertEquals(hard, soft, 1e-12);
        }
    }

    @Test
    void nllOfLogSoftmaxIsCrossEntropy() {
        Tensor logits = x(5, 3);
        Tensor target = targets(5, 3, 0.2);
        if (target.eq(Losses.IGNORE_INDEX).to(DType.I64).sum().item() == 5) target = Tensor.of(new long[] {0, 1, 2, 0, 1}, 5);
        assertEquals(Losses.crossEntropy(c(logits), target).item(),
                Losses.nll(c(logits).logSoftmax(-1), target, Losses.IGNORE_INDEX, Reduction.MEAN).item(), 1e-12);
    }

    @Test
    void klDivergenceMatchesTheDefinition() {
        Tensor q = x(3, 5).softmax(-1), p = x(3, 5).softmax(-1);
        // p with an exact zero: 0 log 0 counts as 0
        p = p.copy();
        p.narrow(1, 0, 1).select(0, 0).fill(0);
        double ref = 0;
        for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) {
            double pk = p.get(i, k), qk = q.get(i, k);
            if (pk > 0) ref += pk * Math.log(pk / qk);
        }
        Variable logq = c(q.log());
        assertEquals(ref / 3, Losses.klDiv(logq, c(p), Reduction.BATCHMEAN, false).item(), 1e-12);
        assertEquals(ref, Losses.klDiv(logq, c(p), Reduction.SUM, false).item(), 1e-12);
        assertEquals(ref / 15, Losses.klDiv(logq, c(p), Reduction.MEAN, false).item(), 1e-12);
        Tensor pPos = x(3, 5).softmax(-1);
        assertEquals(Losses.klDiv(logq, c(pPos), Reduction.SUM, false).item(),
                Losses.klDiv(logq, c(pPos.log()), Reduction.SUM, true).item(), 1e-12);
    }

    @Test
    void cosineSimilarityClampsEachNormLikeTorch() {
        Tensor a = x(4, 6), b = x(4, 6);
        Tensor cos = Losses.cosineSimilarity(c(a), c(b), 1).data();
        for (int i = 0; i < 4; i++) {
            double dot = 0, na = 0, nb = 0;
            for (int k = 0; k < 6; k++) {
                dot += a.get(i, k) * b.get(i, k);
                na += a.get(i, k) * a.get(i, k);
                nb += b.get(i, k) * b.get(i, k);
            }
            assertEquals(dot / Math.sqrt(na * nb), cos.get(i), 1e-12);
        }
        // torch 1.13: x1 / max(|x1|, eps) * x2 / max(|x2|, eps) -> 0.0216 here, not x1.x2 / max(|x1||x2|, eps) = 0.11
        Tensor tiny = Tensor.of(new double[] {1e-5, 2e-5, 0}, 1, 3), big = Tensor.of(new double[] {3, 4, 1}, 1, 3);
        double expected = (3e-5 + 8e-5) / 1e-3 / Math.sqrt(26);
        assertEquals(expected, Losses.cosineSimilarity(c(tiny), c(big), 1, 1e-3).item(), 1e-12);
        // zero vectors: 0, and a finite gradient
        Variable zero = Variable.parameter(Tensor.zeros(DType.F64, 1, 3));
        Variable s = Losses.cosineSimilarity(zero, c(big), 1);
        assertEquals(0, s.item());
        s.sum().backward();
        for (double g : zero.grad().toDoubleArray()) assertTrue(Double.isFinite(g));
        // broadcasting: one vector against a batch, along the last dim
        Tensor one = x(6);
        Tensor batch = Losses.cosineSimilarity(c(one), c(b), -1).data();
        assertEquals(Losses.cosineSimilarity(c(one.unsqueeze(0)), c(b.narrow(0, 2, 1)), 1).item(), batch.get(2), 1e-12);
    }

    @Test
    void bceWithLogitsIsStableAndMatchesTheDefinition() {
        Tensor logits = Tensor.of(new double[] {-200, -3, -0.5, 0, 0.7, 4, 150}, 7);
        Tensor y = Tensor.of(new double[] {0, 1, 0.3, 1, 0, 1, 0}, 7);
        Tensor posWeight = Tensor.of(new double[] {2.5}, 1);
        double[] l = logits.toDoubleArray(), t = y.toDoubleArray();
        double sum = 0, sumW = 0;
        for (int i = 0; i < 7; i++) {
            double logSig = -Math.log1p(Math.exp(-Math.abs(l[i]))) + Math.min(l[i], 0);    // log sigmoid(x)
            double logOneMinusSig = logSig - l[i];                                           // log(1 - sigmoid(x))
            sum += -(t[i] * logSig + (1 - t[i]) * logOneMinusSig);
            sumW += -(2.5 * t[i] * logSig + (1 - t[i]) * logOneMinusSig);
        }
        assertEquals(sum / 7, Losses.bceWithLogits(c(logits), c(y)).item(), 1e-9);
        assertEquals(sumW, Losses.bceWithLogits(c(logits), c(y), c(posWeight), Reduction.SUM).item(), 1e-9);
        // F32 too: no overflow at |x| = 150
        assertTrue(Double.isFinite(Losses.bceWithLogits(c(logits.to(DType.F32)), c(y.to(DType.F32))).item()));
    }

    @Test
    void mseMatchesTheDefinition() {
        Tensor a = x(3, 4), b = x(3, 4);
        double ref = 0;
        for (int i = 0; i < 3; i++) for (int k = 0; k < 4; k++) ref += Math.pow(a.get(i, k) - b.get(i, k), 2);
        assertEquals(ref / 12, Losses.mse(c(a), c(b), Reduction.MEAN).item(), 1e-12);
        assertEquals(ref, Losses.mse(c(a), c(b), Reduction.SUM).item(), 1e-12);
    }

    @Test
    void everyLossPassesTheGradientCheck() {
        Tensor target = Tensor.of(new long[] {2, -100, 0, 3, 1}, 5);
        GradCheck.check("cross_entropy", v -> Losses.crossEntropy(v.get(0), target), x(5, 4));
        GradCheck.check("cross_entropy smoothed sum", v -> Losses.crossEntropy(v.get(0), target, -100, 0.15, Reduction.SUM), x(5, 4));
        GradCheck.check("cross_entropy none", v -> Losses.crossEntropy(v.get(0), target.view(1, 5), -100, 0.1, Reduction.NONE), x(1, 5, 4));
        GradCheck.check("cross_entropy soft", v -> Losses.crossEntropy(v.get(0), v.get(1).softmax(-1), 0.1, Reduction.MEAN), x(3, 4), x(3, 4));
        GradCheck.check("nll", v -> Losses.nll(v.get(0).logSoftmax(-1), target, -100, Reduction.MEAN), x(5, 4));
        GradCheck.check("kl_div", v -> Losses.klDiv(v.get(0).logSoftmax(-1), v.get(1).softmax(-1), Reduction.BATCHMEAN, false), x(3, 4), x(3, 4));
        GradCheck.check("kl_div log target", v -> Losses.klDiv(v.get(0).logSoftmax(-1), v.get(1).logSoftmax(-1), Reduction.MEAN, true), x(3, 4), x(3, 4));
        GradCheck.check("cosine", v -> Losses.cosineSimilarity(v.get(0), v.get(1), 1), x(3, 5), x(3, 5));
        GradCheck.check("cosine broadcast", v -> Losses.cosineSimilarity(v.get(0), v.get(1), -1), x(5), x(3, 5));
        GradCheck.check("cosine clamped", v -> Losses.cosineSimilarity(v.get(0).mul(1e-4), v.get(1), 1, 1e-2), x(2, 3), x(2, 3));
        GradCheck.check("mse", v -> Losses.mse(v.get(0), v.get(1), Reduction.MEAN), x(3, 4), x(3, 4));
        GradCheck.check("bce_with_logits", v -> Losses.bceWithLogits(v.get(0), v.get(1).sigmoid()), x(3, 4), x(3, 4));
        GradCheck.check("bce_with_logits pos_weight", v -> Losses.bceWithLogits(v.get(0), v.get(1).sigmoid(), v.get(2).exp(), Reduction.SUM),
                x(3, 4), x(3, 4), x(4));
    }
}

package org.crs4j.tensor;

import static org.crs4j.tensor.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.*;

import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.Test;

class NormSoftmaxTest {
    private final RandomTensors random = new RandomTensors(3);

    /** Naive softmax along dim d of a Ref, in double. */
    static Ref softmaxRef(Ref x, int d, boolean log) {
        Ref out = Ref.zeros(x.shape);
        int[] idx = new int[x.shape.length];
        int n = x.shape[d];
        for (int i = 0; i < x.data.length; i++) {
            Ref.unravel(i, x.shape, idx);
            if (idx[d] != 0) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) { idx[d] = j; max = Math.max(max, x.at(idx)); }
            double sum = 0;
            for (int j = 0; j < n; j++) { idx[d] = j; sum += Math.exp(x.at(idx) - max); }
            for (int j = 0; j < n; j++) {
                idx[d] = j;
                double v = x.at(idx) - max;
                out.set(log ? v - Math.log(sum) : Math.exp(v) / sum, idx);
            }
        }
        return out;
    }

    @Test
    void softmaxAndLogSoftmaxAlongAnyDimIncludingHugeInputs() {
        for (int trial = 0; trial < 40; trial++) {
            int rank = random.nextInt(1, 3);
            int[] shape = random.shape(rank, 1, trial % 4 == 0 ? 70 : 9);
            double scale = trial % 3 == 0 ? 1e4 : trial % 3 == 1 ? 30 : 1;
            DType dtype = trial % 5 == 0 ? DType.F64 : DType.F32;
            Tensor x = random.uniform(shape, dtype, -scale, scale);
            int d = random.nextInt(-rank, rank - 1);
            int dn = d < 0 ? d + rank : d;
            double rtol = dtype == DType.F64 ? 1e-12 : 3e-6;
            assertClose(softmaxRef(Ref.of(x), dn, false), x.softmax(d), rtol, 1e-7, "softmax trial " + trial);
            assertClose(softmaxRef(Ref.of(x), dn, true), x.logSoftmax(d), rtol, 1e-4 * (1 + scale * 1e-6), "logSoftmax trial " + trial);
            Tensor s = x.softmax(d).sum(d, false);
            for (double v : s.toDoubleArray()) assertEquals(1.0, v, 1e-5);
        }
    }

    @Test
    void softmaxWithMaskedEntries() {
        Tensor scores = Tensor.of(new float[] {1, 2, Float.NEGATIVE_INFINITY, 3}, 1, 4);
        float[] p = scores.softmax(-1).toFloatArray();
        assertEquals(0f, p[2]);
        assertEquals(1.0, p[0] + p[1] + p[3], 1e-6);
        assertEquals(Double.NEGATIVE_INFINITY, scores.logSoftmax(-1).get(0, 2));
    }

    @Test
    void layerNormAndRmsNormMatchTheReference() {
        for (int trial = 0; trial < 30; trial++) {
            int[] shape = random.shape(random.nextInt(1, 3), 1, trial % 3 == 0 ? 100 : 12);
            int n = shape[shape.length - 1];
            DType dtype = trial % 4 == 0 ? DType.F64 : DType.F32;
            Tensor x = random.uniform(shape, dtype, -3, 3).add(trial % 2 == 0 ? 100 : 0); // offset mean
            Tensor w = trial % 3 == 2 ? null : random.uniform(new int[] {n}, trial % 5 == 0 ? DType.BF16 : dtype, 0.5, 1.5);
            Tensor b = trial % 2 == 0 ? null : random.uniform(new int[] {n}, dtype, -1, 1);
            double eps = 1e-5;
            Ref rx = Ref.of(x), rw = w == null ? null : Ref.of(w), rb = b == null ? null : Ref.of(b);
            Ref ln = Ref.zeros(rx.shape), rms = Ref.zeros(rx.shape);
            for (int row = 0; row < rx.data.length / n; row++) {
                double mean = 0, ss = 0, sq = 0;
                for (int j = 0; j < n; j++) mean += rx.data[row * n + j];
                mean /= n;
                for (int j = 0; j < n; j++) {
                    double v = rx.data[row * n + j];
                    ss += (v - mean) * (v - mean);
                    sq += v * v;
                }
                for (int j = 0; j < n; j++) {
                    double v = rx.data[row * n + j];
                    double l = (v - mean) / Math.sqrt(ss / n + eps), r = v / Math.sqrt(sq / n + eps);
                    if (rw != null) { l *= rw.data[j]; r *= rw.data[j]; }
                    if (rb != null) l += rb.data[j];
                    ln.data[row * n + j] = l;
                    rms.data[row * n + j] = r;
                }
            }
            double tol = dtype == DType.F64 ? 1e-10 : 2e-4;
            assertClose(ln, x.layerNorm(w, b, eps), tol, tol, "layerNorm trial " + trial);
            assertClose(rms, x.rmsNorm(w, eps), tol, tol, "rmsNorm trial " + trial);
        }
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).layerNorm(Tensor.zeros(4), null, 1e-5));
    }
}

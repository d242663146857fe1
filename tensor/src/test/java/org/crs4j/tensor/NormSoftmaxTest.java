package org.crs4j.tensor;

import static org.crs4j.tensor.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.*;

import org.crs4j.tensor.cpu.Parallel;
import org.crs4j.tensor.testing.Devices;
import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

@ParameterizedClass
@MethodSource("org.crs4j.tensor.testing.Devices#all")
class NormSoftmaxTest {
    private final Device device;
    private final RandomTensors random;

    NormSoftmaxTest(Device device) {
        this.device = device;
        this.random = new RandomTensors(3, device);
    }

    @BeforeEach
    void deviceIsUsable() {
        Devices.assumeUsable(device, "NormSoftmaxTest");
    }

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

    // ------------------------------------------------------------------ backward kernels

    /** dx = J^T g along dim d, with the Jacobian of softmax (log-softmax) written out entry by entry from y. */
    static Ref softmaxBackwardRef(Ref g, Ref y, int d, boolean log) {
        Ref out = Ref.zeros(y.shape);
        int[] idx = new int[y.shape.length];
        int n = y.shape[d];
        for (int i = 0; i < y.data.length; i++) {
            Ref.unravel(i, y.shape, idx);
            if (idx[d] != 0) continue;
            double[] yy = new double[n], gg = new double[n];
            for (int j = 0; j < n; j++) { idx[d] = j; yy[j] = y.at(idx); gg[j] = g.at(idx); }
            for (int k = 0; k < n; k++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    double jac = log ? (j == k ? 1 : 0) - Math.exp(yy[k]) : yy[j] * ((j == k ? 1 : 0) - yy[k]);
                    sum += gg[j] * jac;
                }
                idx[d] = k;
                out.set(sum, idx);
            }
        }
        return out;
    }

    @Test
    void softmaxBackwardMatchesTheJacobianAlongAnyDim() {
        for (int trial = 0; trial < 30; trial++) {
            int rank = random.nextInt(1, 3);
            int[] shape = random.shape(rank, 1, trial % 4 == 0 ? 40 : 9);
            DType dtype = trial % 5 == 0 ? DType.F64 : DType.F32;
            boolean log = trial % 2 == 1;
            int d = random.nextInt(-rank, rank - 1), dn = d < 0 ? d + rank : d;
            Tensor x = random.uniform(shape, dtype, -4, 4);
            Tensor y = log ? x.logSoftmax(d) : x.softmax(d);
            Tensor g = random.withRandomLayout(random.uniform(shape, trial % 3 == 0 ? DType.BF16 : dtype, -2, 2));
            double tol = dtype == DType.F64 ? 1e-12 : 2e-6;
            assertClose(softmaxBackwardRef(Ref.of(g), Ref.of(y), dn, log), Tensor.softmaxBackward(g, y, d, log), tol,
                    tol, (log ? "log_softmax" : "softmax") + " backward trial " + trial);
        }
    }

    /**
     * {dx, dweight, dbias} of layer norm (rms: RMS norm) from the Jacobian written out entry by entry in double:
     * layer norm dy_j/dx_k = w_j (r (δ_jk - 1/n) - (x_j - μ)(x_k - μ) r³ / n), RMS dy_j/dx_k = w_j (r δ_jk - x_j x_k r³ / n).
     */
    static Ref[] normBackwardRef(Ref g, Ref x, Ref w, double eps, boolean rms) {
        int n = x.shape[x.shape.length - 1], rows = n == 0 ? 0 : x.data.length / n;
        Ref dx = Ref.zeros(x.shape), dw = Ref.zeros(n), db = Ref.zeros(n);
        for (int row = 0; row < rows; row++) {
            int o = row * n;
            double mean = 0, ss = 0;
            if (!rms) {
                for (int j = 0; j < n; j++) mean += x.data[o + j];
                mean /= n;
            }
            for (int j = 0; j < n; j++) ss += (x.data[o + j] - mean) * (x.data[o + j] - mean);
            double r = 1 / Math.sqrt(ss / n + eps);
            for (int k = 0; k < n; k++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    double cj = x.data[o + j] - mean, ck = x.data[o + k] - mean, wj = w == null ? 1 : w.data[j];
                    double jac = rms ? wj * (r * (j == k ? 1 : 0) - cj * ck * r * r * r / n)
                            : wj * (r * ((j == k ? 1 : 0) - 1.0 / n) - cj * ck * r * r * r / n);
                    sum += g.data[o + j] * jac;
                }
                dx.data[o + k] = sum;
                dw.data[k] += g.data[o + k] * (x.data[o + k] - mean) * r;
                db.data[k] += g.data[o + k];
            }
        }
        return new Ref[] {dx, dw, db};
    }

    @Test
    void normBackwardMatchesTheJacobianWithAndWithoutAffine() {
        int[][] shapes = {{5, 7}, {3, 4, 16}, {200, 33}, {130, 256}, {2, 1}, {0, 8}, {2500, 7}};
        for (int trial = 0; trial < shapes.length * 2; trial++) {
            int[] shape = shapes[trial % shapes.length];
            int n = shape[shape.length - 1];
            DType dtype = trial == 3 ? DType.F64 : DType.F32;
            boolean rms = trial % 2 == 1;
            Tensor x = random.withRandomLayout(random.uniform(shape, dtype, -2, 2).add(trial % 3 == 0 ? 5 : 0));
            Tensor g = random.uniform(shape, trial % 4 == 2 ? DType.BF16 : dtype, -1, 1);
            Tensor w = trial % 3 == 1 ? null : random.uniform(new int[] {n}, dtype, 0.5, 1.5);
            Ref[] ref = normBackwardRef(Ref.of(g), Ref.of(x), w == null ? null : Ref.of(w), 1e-5, rms);
            Tensor[] got = rms ? Tensor.rmsNormBackward(g, x, w, 1e-5, w != null)
                    : Tensor.layerNormBackward(g, x, w, 1e-5, w != null, true);
            String what = (rms ? "rms" : "layer") + " norm backward " + java.util.Arrays.toString(shape);
            double tol = dtype == DType.F64 ? 1e-10 : 2e-5;
            assertClose(ref[0], got[0], tol, tol, what + " dx");
            if (w != null) assertClose(ref[1], got[1], tol, tol * Math.sqrt(1 + x.numel() / Math.max(n, 1)), what + " dweight");
            else assertNull(got[1], what + ": no weight, no weight gradient");
            if (!rms) assertClose(ref[2], got[2], tol, tol * Math.sqrt(1 + x.numel() / Math.max(n, 1)), what + " dbias");
        }
        assertNull(Tensor.layerNormBackward(Tensor.ones(2, 3), Tensor.ones(2, 3), Tensor.ones(3), 1e-5, false, false)[1]);
        assertThrows(IllegalArgumentException.class,
                () -> Tensor.rmsNormBackward(Tensor.ones(2, 3), Tensor.ones(2, 4), null, 1e-5, false));
    }

    /** Weight and bias gradients sum rows in chunks fixed by the row length: the same bits for any thread count. */
    @Test
    void normAndSoftmaxBackwardAreThreadCountIndependent() {
        Tensor x = random.uniform(new int[] {3000, 48}, -2, 2), g = random.uniform(new int[] {3000, 48}, -1, 1);
        Tensor w = random.uniform(new int[] {48}, 0.5, 1.5), y = x.softmax(-1);
        float[][] one = null;
        for (int threads : new int[] {1, 2, 3, 8}) {
            Tensor[] d = Parallel.withMaxChunks(threads, () -> Tensor.layerNormBackward(g, x, w, 1e-5, true, true));
            Tensor s = Parallel.withMaxChunks(threads, () -> Tensor.softmaxBackward(g, y, -1, false));
            float[][] now = {d[0].toFloatArray(), d[1].toFloatArray(), d[2].toFloatArray(), s.toFloatArray()};
            if (one == null) one = now;
            else for (int i = 0; i < now.length; i++) assertArrayEquals(one[i], now[i], "output " + i + ", threads " + threads);
        }
    }
}

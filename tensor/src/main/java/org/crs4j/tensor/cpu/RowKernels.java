package org.crs4j.tensor.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/** Softmax, log-softmax, layer norm and RMS norm: fused per-row kernels (one pass to reduce, one to write). */
final class RowKernels {
    private RowKernels() {}

    private static final int L = VectorMath.F.length();

    /** Softmax along {@code dim}: rows of the dim moved last, max-shifted so that large inputs cannot overflow. */
    static Tensor softmax(Tensor x, int dim, boolean log) {
        int rank = x.dim();
        if (rank == 0) return softmax(x.unsqueeze(0), 0, log).squeeze(0);
        boolean last = dim == rank - 1;
        DType domain = x.dtype().computeType();
        Tensor rows = Operands.contiguousHeap(last ? x : x.permute(Reductions.moveToEnd(rank, dim)), domain);
        int n = rows.size(-1), count = n == 0 ? 0 : rows.numel() / n;
        Tensor out = CpuBackend.INSTANCE.zeros(domain, rows.shape());
        int off = rows.offset();
        if (domain == DType.F32) {
            float[] a = Operands.floats(rows), y = Operands.floats(out);
            Parallel.forRange(count, Parallel.grain(4L * n), (s, e) -> {
                for (int r = s; r < e; r++) softmaxRowF32(a, off + r * n, y, r * n, n, log);
            });
        } else {
            double[] a = Operands.doubles(rows), y = Operands.doubles(out);
            Parallel.forRange(count, Parallel.grain(8L * n), (s, e) -> {
                for (int r = s; r < e; r++) softmaxRowF64(a, off + r * n, y, r * n, n, log);
            });
        }
        if (last) return out;
        int[] inverse = new int[rank];
        int[] perm = Reductions.moveToEnd(rank, dim);
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        return out.permute(inverse).contiguous();
    }

    static void softmaxRowF32(float[] x, int xo, float[] y, int yo, int n, boolean log) {
        float max = Reductions.rowF32(org.crs4j.tensor.ReduceOp.MAX, x, xo, n);
        FloatVector vmax = FloatVector.broadcast(VectorMath.F, max);
        FloatVector acc = FloatVector.zero(VectorMath.F);
        int j = 0;
        for (int bound = n - L + 1; j < bound; j += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(VectorMath.F, x, xo + j).sub(vmax));
            acc = acc.add(e);
            if (!log) e.intoArray(y, yo + j);
        }
        for (VectorShuffle<Float> h : VectorMath.HALVES) acc = acc.add(acc.rearrange(h));
        float sum = acc.lane(0);
        for (; j < n; j++) {
            float e = VectorMath.exp(x[xo + j] - max);
            sum += e;
            if (!log) y[yo + j] = e;
        }
        if (log) {
            // (x - max) first: exact for the entries that matter, so huge inputs keep their small differences
            float logSum = (float) Math.log(sum);
            FloatVector vlog = FloatVector.broadcast(VectorMath.F, logSum);
            j = 0;
            for (int bound = n - L + 1; j < bound; j += L) {
                FloatVector.fromArray(VectorMath.F, x, xo + j).sub(vmax).sub(vlog).intoArray(y, yo + j);
            }
            for (; j < n; j++) y[yo + j] = (x[xo + j] - max) - logSum;
        } else {
            FloatVector inv = FloatVector.broadcast(VectorMath.F, 1f / sum);
            j = 0;
            for (int bound = n - L + 1; j < bound; j += L) {
                FloatVector.fromArray(VectorMath.F, y, yo + j).mul(inv).intoArray(y, yo + j);
            }
            float invs = 1f / sum;
            for (; j < n; j++) y[yo + j] *= invs;
        }
    }

    private static void softmaxRowF64(double[] x, int xo, double[] y, int yo, int n, boolean log) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, x[xo + j]);
        double sum = 0;
        for (int j = 0; j < n; j++) sum += Math.exp(x[xo + j] - max);
        double logSum = Math.log(sum);
        for (int j = 0; j < n; j++) y[yo + j] = log ? (x[xo + j] - max) - logSum : Math.exp(x[xo + j] - max) / sum;
    }

    // ------------------------------------------------------------------ layer norm and RMS norm (over the last dim)

    static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return normalize(x, weight, bias, eps, false);
    }

    static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return normalize(x, weight, null, eps, true);
    }

    private static Tensor normalize(Tensor x, Tensor weight, Tensor bias, double eps, boolean rms) {
        if (x.dim() == 0) throw new IllegalArgumentException("normalization needs at least one dim");
        int n = x.size(-1);
        checkParam("weight", weight, n, x);
        checkParam("bias", bias, n, x);
        DType domain = x.dtype().computeType();
        if (weight != null && weight.dtype() == DType.F64) domain = DType.F64;
        Tensor rows = Operands.contiguousHeap(x, domain);
        Tensor w = weight == null ? null : Operands.contiguousHeap(weight, domain);
        Tensor b = bias == null ? null : Operands.contiguousHeap(bias, domain);
        int count = n == 0 ? 0 : rows.numel() / n;
        Tensor out = CpuBackend.INSTANCE.zeros(domain, x.shape());
        int off = rows.offset();
        if (domain == DType.F32) {
            float[] a = Operands.floats(rows), y = Operands.floats(out);
            float[] wa = w == null ? null : Operands.floats(w), ba = b == null ? null : Operands.floats(b);
            int wo = w == null ? 0 : w.offset(), bo = b == null ? 0 : b.offset();
            Parallel.forRange(count, Parallel.grain(3L * n), (s, e) -> {
                for (int r = s; r < e; r++) normRowF32(a, off + r * n, y, r * n, n, wa, wo, ba, bo, (float) eps, rms);
            });
        } else {
            double[] a = Operands.doubles(rows), y = Operands.doubles(out);
            double[] wa = w == null ? null : Operands.doubles(w), ba = b == null ? null : Operands.doubles(b);
            int wo = w == null ? 0 : w.offset(), bo = b == null ? 0 : b.offset();
            Parallel.forRange(count, Parallel.grain(8L * n), (s, e) -> {
                for (int r = s; r < e; r++) {
                    int xo = off + r * n, yo = r * n;
                    double mean = 0;
                    if (!rms) {
                        for (int j = 0; j < n; j++) mean += a[xo + j];
                        mean /= n;
                    }
                    double ss = 0;
                    for (int j = 0; j < n; j++) ss += (a[xo + j] - mean) * (a[xo + j] - mean);
                    double inv = 1 / Math.sqrt(ss / n + eps);
                    for (int j = 0; j < n; j++) {
                        double v = (a[xo + j] - mean) * inv;
                        if (wa != null) v *= wa[wo + j];
                        if (ba != null) v += ba[bo + j];
                        y[yo + j] = v;
                    }
                }
            });
        }
        return out;
    }

    private static void checkParam(String name, Tensor p, int n, Tensor x) {
        if (p != null && (p.dim() != 1 || p.size(0) != n)) {
            throw new IllegalArgumentException("normalization " + name + " has shape " + Arrays.toString(p.shape())
                    + ", expected [" + n + "] for input " + Arrays.toString(x.shape()));
        }
    }

    /**
     * The sum of (x - mean)² over a row, in one fixed order shared by the norms and their backward passes, so that
     * the backward's x̂ is the forward's bit for bit.
     */
    static float squaredDeviations(float[] x, int xo, int n, float mean) {
        FloatVector vmean = FloatVector.broadcast(VectorMath.F, mean);
        FloatVector acc = FloatVector.zero(VectorMath.F);
        int j = 0;
        for (int bound = n - L + 1; j < bound; j += L) {
            FloatVector d = FloatVector.fromArray(VectorMath.F, x, xo + j).sub(vmean);
            acc = d.fma(d, acc);
        }
        for (VectorShuffle<Float> h : VectorMath.HALVES) acc = acc.add(acc.rearrange(h));
        float ss = acc.lane(0);
        for (; j < n; j++) {
            float d = x[xo + j] - mean;
            ss += d * d;
        }
        return ss;
    }

    private static void normRowF32(float[] x, int xo, float[] y, int yo, int n, float[] w, int wo, float[] b, int bo,
                                   float eps, boolean rms) {
        float mean = rms ? 0f : Reductions.rowF32(org.crs4j.tensor.ReduceOp.SUM, x, xo, n) / n;
        FloatVector vmean = FloatVector.broadcast(VectorMath.F, mean);
        float inv = (float) (1 / Math.sqrt(squaredDeviations(x, xo, n, mean) / n + eps));
        FloatVector vinv = FloatVector.broadcast(VectorMath.F, inv);
        int j = 0;
        for (int bound = n - L + 1; j < bound; j += L) {
            FloatVector v = FloatVector.fromArray(VectorMath.F, x, xo + j).sub(vmean).mul(vinv);
            if (w != null) v = v.mul(FloatVector.fromArray(VectorMath.F, w, wo + j));
            if (b != null) v = v.add(FloatVector.fromArray(VectorMath.F, b, bo + j));
            v.intoArray(y, yo + j);
        }
        for (; j < n; j++) {
            float v = (x[xo + j] - mean) * inv;
            if (w != null) v *= w[wo + j];
            if (b != null) v += b[bo + j];
            y[yo + j] = v;
        }
    }
}

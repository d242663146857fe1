package org.crs4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.ReduceOp;
import org.crs4j.tensor.Tensor;

/**
 * The backward passes of the per-row kernels of {@link RowKernels}: softmax, log-softmax, layer norm and RMS norm,
 * each fused per row. Composed from element-wise ops, the norm backward allocates about eight input-sized
 * temporaries and the softmax backward three; here each row is read a few times from cache and written once.
 *
 * <p>Weight and bias gradients sum over all rows. Rows are cut into chunks whose size depends on the row length
 * only; each chunk sums its rows in order into its own partial, and the partials are added in chunk order, so the
 * result is the same for any thread count.
 */
final class RowGradients {
    private RowGradients() {}

    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = F.length();

    // ------------------------------------------------------------------ softmax

    /** softmax: y (g - sum(g y)); log-softmax: g - exp(y) sum(g), along {@code dim}. */
    static Tensor softmaxBackward(Tensor g, Tensor y, int dim, boolean log) {
        if (!java.util.Arrays.equals(g.shape(), y.shape())) {
            throw new IllegalArgumentException("softmax backward: gradient " + java.util.Arrays.toString(g.shape())
                    + " and output " + java.util.Arrays.toString(y.shape()) + " differ");
        }
        int rank = y.dim();
        if (rank == 0) return softmaxBackward(g.unsqueeze(0), y.unsqueeze(0), 0, log).squeeze(0);
        boolean last = dim == rank - 1;
        int[] perm = Reductions.moveToEnd(rank, dim);
        DType domain = DType.promote(g.dtype(), y.dtype()).computeType();
        Tensor gr = Operands.contiguousHeap(last ? g : g.permute(perm), domain);
        Tensor yr = Operands.contiguousHeap(last ? y : y.permute(perm), domain);
        int n = yr.size(-1), count = n == 0 ? 0 : yr.numel() / n;
        Tensor out = CpuBackend.INSTANCE.zeros(domain, yr.shape());
        int go = gr.offset(), yo = yr.offset();
        if (domain == DType.F32) {
            float[] ga = Operands.floats(gr), ya = Operands.floats(yr), dx = Operands.floats(out);
            Parallel.forRange(count, Math.max(1, 8192 / Math.max(n, 1)), (s, e) -> {
                for (int r = s; r < e; r++) softmaxRowF32(ga, go + r * n, ya, yo + r * n, dx, r * n, n, log);
            });
        } else {
            double[] ga = Operands.doubles(gr), ya = Operands.doubles(yr), dx = Operands.doubles(out);
            Parallel.forRange(count, 1, (s, e) -> {
                for (int r = s; r < e; r++) {
                    int gi = go + r * n, yi = yo + r * n, o = r * n;
                    double dot = 0;
                    for (int j = 0; j < n; j++) dot += log ? ga[gi + j] : ga[gi + j] * ya[yi + j];
                    for (int j = 0; j < n; j++) {
                        dx[o + j] = log ? ga[gi + j] - Math.exp(ya[yi + j]) * dot : ya[yi + j] * (ga[gi + j] - dot);
                    }
                }
            });
        }
        if (last) return out;
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        return out.permute(inverse).contiguous();
    }

    private static void softmaxRowF32(float[] g, int gi, float[] y, int yi, float[] dx, int o, int n, boolean log) {
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = n - L + 1; j < bound; j += L) {
            FloatVector gv = FloatVector.fromArray(F, g, gi + j);
            acc = log ? acc.add(gv) : gv.fma(FloatVector.fromArray(F, y, yi + j), acc);
        }
        for (VectorShuffle<Float> h : VectorMath.HALVES) acc = acc.add(acc.rearrange(h));
        float dot = acc.lane(0);
        for (; j < n; j++) dot = log ? dot + g[gi + j] : Math.fma(g[gi + j], y[yi + j], dot);
        FloatVector vdot = FloatVector.broadcast(F, dot);
        j = 0;
        for (int bound = n - L + 1; j < bound; j += L) {
            FloatVector gv = FloatVector.fromArray(F, g, gi + j), yv = FloatVector.fromArray(F, y, yi + j);
            (log ? gv.sub(VectorMath.exp(yv).mul(vdot)) : yv.mul(gv.sub(vdot))).intoArray(dx, o + j);
        }
        for (; j < n; j++) dx[o + j] = log ? g[gi + j] - VectorMath.exp(y[yi + j]) * dot : y[yi + j] * (g[gi + j] - dot);
    }

    // ------------------------------------------------------------------ layer norm and RMS norm

    /**
     * Gradients of {@code layerNorm(x, weight, bias, eps)} ({@code rms}: {@code rmsNorm(x, weight, eps)}) over the
     * last dim, given the output's gradient g: {dx, dweight, dbias}, dweight only when {@code weightGrad} (weight
     * non-null), dbias only when {@code biasGrad}. With r = 1/sqrt(var + eps) (RMS: 1/sqrt(mean(x²) + eps)),
     * x̂ = (x - mean) r (RMS: x r) and g' = g · weight:
     * <pre>
     *   dx = r (g' - mean(g') - x̂ mean(g' x̂))      (RMS: r (g' - x̂ mean(g' x̂)))
     *   dweight = sum over rows of g x̂,   dbias = sum over rows of g
     * </pre>
     */
    static Tensor[] normBackward(Tensor g, Tensor x, Tensor weight, double eps, boolean rms, boolean weightGrad,
                                 boolean biasGrad) {
        if (!java.util.Arrays.equals(g.shape(), x.shape())) {
            throw new IllegalArgumentException("normalization backward: gradient " + java.util.Arrays.toString(g.shape())
                    + " and input " + java.util.Arrays.toString(x.shape()) + " differ");
        }
        if (x.dim() == 0) throw new IllegalArgumentException("normalization needs at least one dim");
        int n = x.size(-1);
        if (weight != null && (weight.dim() != 1 || weight.size(0) != n)) {
            throw new IllegalArgumentException("normalization weight has shape " + java.util.Arrays.toString(weight.shape())
                    + ", expected [" + n + "]");
        }
        DType domain = DType.promote(g.dtype(), x.dtype()).computeType();
        if (weight != null && weight.dtype() == DType.F64) domain = DType.F64;
        Tensor xr = Operands.contiguousHeap(x, domain), gr = Operands.contiguousHeap(g, domain);
        Tensor w = weight == null ? null : Operands.contiguousHeap(weight, domain);
        boolean wantW = weightGrad && weight != null;
        int count = n == 0 ? 0 : xr.numel() / n;
        // Rows per chunk of the weight/bias sums: a function of n alone (never of the thread count).
        int rowsPerChunk = Math.max(1, 16384 / Math.max(n, 1)), chunks = (count + rowsPerChunk - 1) / rowsPerChunk;
        int sums = (wantW ? 1 : 0) + (biasGrad ? 1 : 0);
        Tensor dx = CpuBackend.INSTANCE.zeros(domain, x.shape());
        Tensor partial = CpuBackend.INSTANCE.zeros(domain, Math.max(1, chunks), Math.max(1, sums), n);
        int xo = xr.offset(), go = gr.offset(), wo = w == null ? 0 : w.offset();
        int dwAt = wantW ? 0 : -1, dbAt = biasGrad ? (wantW ? 1 : 0) : -1;
        if (domain == DType.F32) {
            float[] xa = Operands.floats(xr), ga = Operands.floats(gr), d = Operands.floats(dx);
            float[] wa = w == null ? null : Operands.floats(w), p = Operands.floats(partial);
            Parallel.forRange(chunks, 1, (s, e) -> {
                for (int c = s; c < e; c++) {
                    int base = c * sums * n;
                    for (int r = c * rowsPerChunk, end = Math.min(count, r + rowsPerChunk); r < end; r++) {
                        normRowF32(xa, xo + r * n, ga, go + r * n, wa, wo, d, r * n, n, (float) eps, rms,
                                p, dwAt < 0 ? -1 : base + dwAt * n, dbAt < 0 ? -1 : base + dbAt * n);
                    }
                }
            });
        } else {
            double[] xa = Operands.doubles(xr), ga = Operands.doubles(gr), d = Operands.doubles(dx);
            double[] wa = w == null ? null : Operands.doubles(w), p = Operands.doubles(partial);
            Parallel.forRange(chunks, 1, (s, e) -> {
                for (int c = s; c < e; c++) {
                    int base = c * sums * n;
                    for (int r = c * rowsPerChunk, end = Math.min(count, r + rowsPerChunk); r < end; r++) {
                        normRowF64(xa, xo + r * n, ga, go + r * n, wa, wo, d, r * n, n, eps, rms,
                                p, dwAt < 0 ? -1 : base + dwAt * n, dbAt < 0 ? -1 : base + dbAt * n);
                    }
                }
            });
        }
        // the chunks' partials, added in chunk order (a column reduction: whole rows added one after the other)
        Tensor sum = CpuBackend.INSTANCE.reduce(ReduceOp.SUM, partial, new int[] {0}, false);
        Tensor dw = wantW ? sum.select(0, dwAt) : null, db = biasGrad ? sum.select(0, dbAt) : null;
        return new Tensor[] {dx, dw, db};
    }

    private static void normRowF32(float[] x, int xi, float[] g, int gi, float[] w, int wo, float[] dx, int o, int n,
                                   float eps, boolean rms, float[] p, int dwAt, int dbAt) {
        float mean = rms ? 0f : Reductions.rowF32(ReduceOp.SUM, x, xi, n) / n;
        FloatVector vmean = FloatVector.broadcast(F, mean);
        float r = (float) (1 / Math.sqrt(RowKernels.squaredDeviations(x, xi, n, mean) / n + eps));
        FloatVector vr = FloatVector.broadcast(F, r);
        // mean(g'), mean(g' x̂); g' = g w
        FloatVector sg = FloatVector.zero(F), sgx = FloatVector.zero(F);
        int j = 0;
        for (int bound = n - L + 1; j < bound; j += L) {
            FloatVector gv = FloatVector.fromArray(F, g, gi + j);
            if (w != null) gv = gv.mul(FloatVector.fromArray(F, w, wo + j));
            FloatVector xh = FloatVector.fromArray(F, x, xi + j).sub(vmean).mul(vr);
            sg = sg.add(gv);
            sgx = gv.fma(xh, sgx);
        }
        for (VectorShuffle<Float> h : VectorMath.HALVES) {
            sg = sg.add(sg.rearrange(h));
            sgx = sgx.add(sgx.rearrange(h));
        }
        float sumG = sg.lane(0), sumGx = sgx.lane(0);
        for (; j < n; j++) {
            float gv = w != null ? g[gi + j] * w[wo + j] : g[gi + j];
            float xh = (x[xi + j] - mean) * r;
            sumG += gv;
            sumGx = Math.fma(gv, xh, sumGx);
        }
        float mg = rms ? 0f : sumG / n, mgx = sumGx / n;
        FloatVector vmg = FloatVector.broadcast(F, mg), vmgx = FloatVector.broadcast(F, mgx);
        j = 0;
        for (int bound = n - L + 1; j < bound; j += L) {
            FloatVector g0 = FloatVector.fromArray(F, g, gi + j), gv = g0;
            if (w != null) gv = gv.mul(FloatVector.fromArray(F, w, wo + j));
            FloatVector xh = FloatVector.fromArray(F, x, xi + j).sub(vmean).mul(vr);
            gv.sub(vmg).sub(xh.mul(vmgx)).mul(vr).intoArray(dx, o + j);
            if (dwAt >= 0) g0.fma(xh, FloatVector.fromArray(F, p, dwAt + j)).intoArray(p, dwAt + j);
            if (dbAt >= 0) g0.add(FloatVector.fromArray(F, p, dbAt + j)).intoArray(p, dbAt + j);
        }
        for (; j < n; j++) {
            float g0 = g[gi + j], gv = w != null ? g0 * w[wo + j] : g0;
            float xh = (x[xi + j] - mean) * r;
            dx[o + j] = (gv - mg - xh * mgx) * r;
            if (dwAt >= 0) p[dwAt + j] = Math.fma(g0, xh, p[dwAt + j]);
            if (dbAt >= 0) p[dbAt + j] += g0;
        }
    }

    private static void normRowF64(double[] x, int xi, double[] g, int gi, double[] w, int wo, double[] dx, int o, int n,
                                   double eps, boolean rms, double[] p, int dwAt, int dbAt) {
        double mean = 0;
        if (!rms) {
            for (int j = 0; j < n; j++) mean += x[xi + j];
            mean /= n;
        }
        double ss = 0;
        for (int j = 0; j < n; j++) ss += (x[xi + j] - mean) * (x[xi + j] - mean);
        double r = 1 / Math.sqrt(ss / n + eps), sumG = 0, sumGx = 0;
        for (int j = 0; j < n; j++) {
            double gv = w != null ? g[gi + j] * w[wo + j] : g[gi + j];
            sumG += gv;
            sumGx += gv * (x[xi + j] - mean) * r;
        }
        double mg = rms ? 0 : sumG / n, mgx = sumGx / n;
        for (int j = 0; j < n; j++) {
            double g0 = g[gi + j], gv = w != null ? g0 * w[wo + j] : g0, xh = (x[xi + j] - mean) * r;
            dx[o + j] = (gv - mg - xh * mgx) * r;
            if (dwAt >= 0) p[dwAt + j] += g0 * xh;
            if (dbAt >= 0) p[dbAt + j] += g0;
        }
    }
}

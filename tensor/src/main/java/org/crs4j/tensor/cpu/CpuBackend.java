package org.crs4j.tensor.cpu;

import org.crs4j.tensor.Backend;
import org.crs4j.tensor.BinaryOp;
import org.crs4j.tensor.CsrMatrix;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.ReduceOp;
import org.crs4j.tensor.Shape;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.UnaryOp;

/**
 * The CPU backend: Vector API kernels on the shared {@link Parallel} pool. Each method hands off to the kernel
 * class that owns the op; see those classes for the fast paths and their reasons.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        return Tensor.of(CpuStorage.allocate(dtype, Shape.numel(shape)), shape);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CopyKernel.copy(src, dst);
    }

    @Override
    public Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || Double.isNaN(step)) throw new IllegalArgumentException("arange step must be non-zero, got " + step);
        double span = (end - start) / step;
        if (Double.isNaN(span) || span > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("arange(" + start + ", " + end + ", " + step + ") has too many elements");
        }
        int n = (int) Math.max(0, Math.ceil(span));
        Tensor out = zeros(dtype, n);
        CpuStorage s = (CpuStorage) out.storage();
        for (int i = 0; i < n; i++) s.setDouble(i, start + i * step);
        return out;
    }

    @Override
    public Tensor unary(UnaryOp op, Tensor x) {
        return Elementwise.unary(op, x);
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return Elementwise.binary(op, a, b);
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Elementwise.where(cond, a, b);
    }

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        return Reductions.reduce(op, x, dims, keepdim);
    }

    @Override
    public Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) {
        return Reductions.argReduce(max, x, dim, keepdim);
    }

    @Override
    public Tensor softmax(Tensor x, int dim, boolean log) {
        return RowKernels.softmax(x, dim, log);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return RowKernels.layerNorm(x, weight, bias, eps);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return RowKernels.rmsNorm(x, weight, eps);
    }

    @Override
    public Tensor softmaxBackward(Tensor grad, Tensor y, int dim, boolean log) {
        return RowGradients.softmaxBackward(grad, y, dim, log);
    }

    @Override
    public Tensor[] normBackward(Tensor grad, Tensor x, Tensor weight, double eps, boolean rms, boolean weightGrad,
                                 boolean biasGrad) {
        return RowGradients.normBackward(grad, x, weight, eps, rms, weightGrad, biasGrad);
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        return MatMul.matmul(a, b);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        return AttentionKernel.attention(q, k, v, bias, scale);
    }

    @Override
    public Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out, Tensor gradOut,
                                      boolean[] needed) {
        return Tensor.attentionBackwardComposed(q, k, v, bias, scale, gradOut, needed);
    }

    @Override
    public Tensor segmentMatmul(Tensor x, int[] offsets, Tensor w) {
        return MatMul.segmentMatmul(x, offsets, w);
    }

    @Override
    public Tensor segmentTransposeMatmul(Tensor x, int[] offsets, Tensor y) {
        return MatMul.segmentTransposeMatmul(x, offsets, y);
    }

    @Override
    public Tensor gather(Tensor x, int dim, Tensor index) {
        return IndexKernels.gather(x, dim, index);
    }

    @Override
    public Tensor indexSelect(Tensor x, int dim, Tensor index) {
        return IndexKernels.indexSelect(x, dim, index);
    }

    @Override
    public Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        return IndexKernels.scatterAdd(self, dim, index, src);
    }

    @Override
    public Tensor indexAdd(Tensor self, int dim, Tensor index, Tensor src) {
        return IndexKernels.indexAdd(self, dim, index, src);
    }

    @Override
    public Tensor rope(Tensor x, Tensor cos, Tensor sin, boolean interleaved) {
        return RopeKernel.rope(x, cos, sin, interleaved);
    }

    @Override
    public Tensor spmm(CsrMatrix a, Tensor x) {
        return SparseKernels.spmm(a, x);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double l2, double decay,
                           double beta1, double beta2, double eps, double stepSize, double bc2Sqrt) {
        OptimizerKernels.adamUpdate(param, grad, expAvg, expAvgSq, l2, decay, beta1, beta2, eps, stepSize, bc2Sqrt);
    }

    @Override
    public Tensor cumsum(Tensor x, int dim) {
        return Scan.cumsum(x, dim);
    }

    @Override
    public Tensor[] sort(Tensor x, int dim, boolean descending, int k) {
        return Sorting.sort(x, dim, descending, k);
    }

    @Override
    public Tensor random(Generator.Distribution distribution, Generator rng, double a, double b, DType dtype, int... shape) {
        return RandomKernel.random(distribution, rng, a, b, dtype, shape);
    }
}

package org.crs4j.tensor.cpu;

import org.crs4j.tensor.*;

/** The CPU backend: Vector API kernels on the shared {@link Parallel} pool. */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    @Override public Device device() { return Device.CPU; }

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        return Tensor.of(CpuStorage.allocate(dtype, Shape.numel(shape)), shape);
    }

    @Override public void copy(Tensor src, Tensor dst) { throw todo(); }
    @Override public Tensor arange(double start, double end, double step, DType dtype) { throw todo(); }
    @Override public Tensor unary(UnaryOp op, Tensor x) { throw todo(); }
    @Override public Tensor binary(BinaryOp op, Tensor a, Tensor b) { throw todo(); }
    @Override public Tensor where(Tensor cond, Tensor a, Tensor b) { throw todo(); }
    @Override public Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) { throw todo(); }
    @Override public Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) { throw todo(); }
    @Override public Tensor softmax(Tensor x, int dim, boolean log) { throw todo(); }
    @Override public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) { throw todo(); }
    @Override public Tensor rmsNorm(Tensor x, Tensor weight, double eps) { throw todo(); }
    @Override public Tensor matmul(Tensor a, Tensor b) { throw todo(); }
    @Override public Tensor gather(Tensor x, int dim, Tensor index) { throw todo(); }
    @Override public Tensor indexSelect(Tensor x, int dim, Tensor index) { throw todo(); }
    @Override public Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) { throw todo(); }
    @Override public Tensor indexAdd(Tensor self, int dim, Tensor index, Tensor src) { throw todo(); }
    @Override public Tensor cumsum(Tensor x, int dim) { throw todo(); }
    @Override public Tensor[] sort(Tensor x, int dim, boolean descending, int k) { throw todo(); }
    @Override public Tensor random(Generator.Distribution d, Generator rng, double a, double b, DType dtype, int... shape) { throw todo(); }

    private static UnsupportedOperationException todo() {
        return new UnsupportedOperationException("in progress");
    }
}

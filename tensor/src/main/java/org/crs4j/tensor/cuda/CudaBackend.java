package org.crs4j.tensor.cuda;

import static org.crs4j.tensor.cuda.CudaTensors.address;
import static org.crs4j.tensor.cuda.CudaTensors.code;
import static org.crs4j.tensor.cuda.CudaTensors.domain;
import static org.crs4j.tensor.cuda.CudaTensors.domainCode;

import java.util.Arrays;
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
 * The CUDA backend: every op of {@link Backend} as kernels written in CUDA C ({@code tensor/src/main/cuda}, shipped as
 * PTX), GEMMs through cuBLAS. Semantics are the CPU backend's — dtypes, broadcasting, error messages — and so are the
 * reference tests; where the CPU backend fixes an order of summation the CUDA kernels fix their own (results agree to
 * float rounding, and are the same on every run).
 *
 * <p>Operands on the CPU are uploaded ({@link CudaTensors}); outputs are new contiguous device tensors. All work is
 * ordered on the device's one stream; reading a result back ({@code toFloatArray}, {@code item}) waits for it.
 */
public final class CudaBackend implements Backend {
    final CudaDevice cuda;
    final CudaTensors tensors;
    private final CudaMatMul matmul;
    private final CudaAttention attention;
    private final CudaIndexing indexing;
    private final CudaSort sort;

    public CudaBackend(CudaDevice device) {
        this.cuda = device;
        this.tensors = new CudaTensors(device);
        this.matmul = new CudaMatMul(this);
        this.attention = new CudaAttention(this);
        this.indexing = new CudaIndexing(this);
        this.sort = new CudaSort(this);
    }

    /** Opens {@code cuda:index} (see {@link CudaDevice#open}); throws {@link CudaUnavailableException} saying why not. */
    public static CudaBackend open(int index) {
        return new CudaBackend(CudaDevice.open(index));
    }

    @Override
    public Device device() {
        return cuda.device();
    }

    public CudaDevice cudaDevice() {
        return cuda;
    }

    /** Implicit uploads of CPU operands so far: {count, bytes}. */
    public long[] uploads() {
        return new long[] {tensors.uploads(), tensors.uploadedBytes()};
    }

    /** Waits for all work enqueued on the device (for timing). */
    public void synchronize() {
        cuda.driver().synchronize();
    }

    Tensor on(Tensor t) {
        return tensors.on(t);
    }

    // ------------------------------------------------------------------ creation, copies, transfers

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        return tensors.zeros(dtype, shape);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (dst.device().kind() == Device.Kind.CPU) {
            // a download into a CPU view: fetch the source whole, then the CPU copies (broadcasting, converting)
            Tensor host = src.device().equals(device()) ? tensors.download(src) : src.toDevice(Device.CPU);
            dst.copyFrom(host);
            return;
        }
        if (!dst.device().equals(device())) throw new IllegalArgumentException("copy into " + dst.device() + " on " + device());
        tensors.copy(on(src), dst);
    }

    /** A new copy of {@code t} (a CPU tensor) on this device, keeping its strides; {@code Backends.transfer} calls it. */
    public Tensor upload(Tensor t) {
        return tensors.upload(t);
    }

    /** A contiguous CPU copy of a tensor of this device. */
    public Tensor download(Tensor t) {
        return tensors.download(t);
    }

    @Override
    public Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || Double.isNaN(step)) throw new IllegalArgumentException("arange step must be non-zero, got " + step);
        double span = (end - start) / step;
        if (Double.isNaN(span) || span > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("arange(" + start + ", " + end + ", " + step + ") has too many elements");
        }
        int n = (int) Math.max(0, Math.ceil(span));
        Tensor out = tensors.empty(dtype, n);
        cuda.launch1d("elementwise", "arange", n, (long) n, start, step, address(out), code(dtype));
        return out;
    }

    // ------------------------------------------------------------------ element-wise

    private static boolean keepsIntegers(UnaryOp op) {
        return op == UnaryOp.NEG || op == UnaryOp.ABS || op == UnaryOp.SIGN || op == UnaryOp.SQUARE || op == UnaryOp.RELU;
    }

    @Override
    public Tensor unary(UnaryOp op, Tensor x) {
        x = on(x);
        DType xt = x.dtype();
        DType domain = !xt.isFloating() && keepsIntegers(op) ? DType.I64 : xt.computeType();
        if (!xt.isFloating() && domain != DType.I64) domain = DType.F32;
        Tensor out = tensors.empty(domain, x.shape());
        Layout l = Layout.of(x.shape(), out.strides(), x.strides());
        cuda.launch1d("elementwise", "unary", out.numel(), (long) out.numel(), op.ordinal(), domainCode(domain), l.toInts(),
                address(out), address(x), code(xt));
        return domain == DType.I64 && xt == DType.I32 ? out.to(DType.I32) : out;
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        a = on(a);
        b = on(b);
        int[] shape = Shape.broadcast(a.shape(), b.shape());
        DType rt = op.resultType(a.dtype(), b.dtype());
        DType domain = domain(DType.promote(a.dtype(), b.dtype()));
        if (!op.isPredicate() && rt.isFloating()) domain = rt;
        Tensor out = tensors.empty(op.isPredicate() ? DType.BOOL : domain, shape);
        Tensor ae = a.expand(shape), be = b.expand(shape);
        Layout l = Layout.of(shape, out.strides(), ae.strides(), be.strides());
        cuda.launch1d("elementwise", "binary", out.numel(), (long) out.numel(), op.ordinal(), domainCode(domain),
                op.isPredicate() ? 1 : 0, l.toInts(), address(out), address(ae), code(a.dtype()), address(be), code(b.dtype()));
        return rt == DType.I32 ? out.to(DType.I32) : out;
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        cond = on(cond);
        a = on(a);
        b = on(b);
        int[] shape = Shape.broadcast(cond.shape(), a.shape(), b.shape());
        boolean bothBool = a.dtype() == DType.BOOL && b.dtype() == DType.BOOL;
        DType rt = bothBool ? DType.BOOL : DType.promote(a.dtype(), b.dtype());
        Tensor out = tensors.empty(rt, shape);
        Tensor c = cond.expand(shape), ae = a.expand(shape), be = b.expand(shape);
        Layout l = Layout.of(shape, out.strides(), c.strides(), ae.strides(), be.strides());
        cuda.launch1d("elementwise", "where_select", out.numel(), (long) out.numel(), l.toInts(), address(out), code(rt),
                address(c), code(c.dtype()), address(ae), code(a.dtype()), address(be), code(b.dtype()));
        return out;
    }

    // ------------------------------------------------------------------ reductions

    /** Elements per chunk of a long row (reduce_rows) and rows per chunk of a column sum (reduce_cols). */
    static final int ROW_CHUNK = 1 << 15, COLUMN_CHUNK = 1 << 12;

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        x = on(x);
        int[] shape = x.shape();
        DType domain = domain(x.dtype());
        DType resultType = op == ReduceOp.SUM ? domain : (x.dtype().isFloating() ? domain : x.dtype());
        int[] outShape = outShape(shape, dims, keepdim);
        if (dims.length == 0) return converted(x, resultType);
        int outer = 1, reduced = 1, inner = 1;
        Tensor xc;
        boolean adjacent = dims[dims.length - 1] - dims[0] + 1 == dims.length;
        if (adjacent && x.isContiguous()) {
            for (int d = 0; d < shape.length; d++) {
                if (d < dims[0]) outer *= shape[d];
                else if (d <= dims[dims.length - 1]) reduced *= shape[d];
                else inner *= shape[d];
            }
            xc = tensors.contiguous(x, domain);
        } else {
            int[] perm = new int[shape.length];
            boolean[] isReduced = new boolean[shape.length];
            for (int d : dims) isReduced[d] = true;
            int k = 0;
            for (int d = 0; d < shape.length; d++) if (!isReduced[d]) { perm[k++] = d; outer *= shape[d]; }
            for (int d : dims) { perm[k++] = d; reduced *= shape[d]; }
            xc = tensors.contiguous(x.permute(perm), domain);
        }
        if (reduced == 0 && op != ReduceOp.SUM) {
            throw new IllegalArgumentException(op + " over an empty dimension of shape " + Arrays.toString(shape));
        }
        Tensor out = reduced == 0 ? tensors.zeros(domain, outShape) : reduceContiguous(op, xc, outer, reduced, inner).reshape(outShape);
        return out.dtype() == resultType ? out : out.to(resultType);
    }

    /** A new contiguous copy of x in dtype. */
    private Tensor converted(Tensor x, DType dtype) {
        Tensor out = tensors.empty(dtype, x.shape());
        tensors.copy(x, out);
        return out;
    }

    /** [outer, reduced, inner] contiguous in its domain dtype -> [outer, inner]. */
    Tensor reduceContiguous(ReduceOp op, Tensor x, int outer, int reduced, int inner) {
        DType dt = x.dtype();
        String suffix = dt == DType.F32 ? "f32" : dt == DType.F64 ? "f64" : "i64";
        if (outer * inner == 0) return tensors.empty(dt, outer, inner);
        if (inner == 1) {
            int chunks = (reduced + ROW_CHUNK - 1) / ROW_CHUNK;
            Tensor partial = tensors.empty(dt, outer, chunks);
            cuda.launch("reduce", "reduce_rows_" + suffix, outer * chunks, 1, 1, 256, 256 * dt.byteSize(), op.ordinal(),
                    address(x), reduced, ROW_CHUNK, address(partial));
            return chunks == 1 ? partial : reduceContiguous(op, partial, outer, chunks, 1);
        }
        int chunks = (reduced + COLUMN_CHUNK - 1) / COLUMN_CHUNK;
        Tensor partial = tensors.empty(dt, outer, chunks, inner);
        cuda.launch1d("reduce", "reduce_cols_" + suffix, (long) outer * chunks * inner, op.ordinal(), address(x), outer,
                reduced, inner, COLUMN_CHUNK, address(partial));
        return chunks == 1 ? partial.view(outer, inner) : reduceContiguous(op, partial, outer, chunks, inner);
    }

    static int[] outShape(int[] shape, int[] dims, boolean keepdim) {
        boolean[] isReduced = new boolean[shape.length];
        for (int d : dims) isReduced[d] = true;
        int[] out = new int[keepdim ? shape.length : shape.length - dims.length];
        for (int d = 0, k = 0; d < shape.length; d++) {
            if (!isReduced[d]) out[k++] = shape[d];
            else if (keepdim) out[k++] = 1;
        }
        return out;
    }

    /** The permutation that moves {@code dim} last. */
    static int[] moveToEnd(int rank, int dim) {
        int[] perm = new int[rank];
        for (int d = 0, k = 0; d < rank; d++) if (d != dim) perm[k++] = d;
        perm[rank - 1] = dim;
        return perm;
    }

    static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
        return inv;
    }

    /** The rows of {@code x} along {@code dim}, contiguous [count, n] in {@code dtype} (null: x's own). */
    Tensor rows(Tensor x, int dim, DType dtype) {
        Tensor moved = dim == x.dim() - 1 ? x : x.permute(moveToEnd(x.dim(), dim));
        return tensors.contiguous(moved, dtype == null ? x.dtype() : dtype);
    }

    /** The inverse of {@link #rows}: a [.., n] result with dim moved back, contiguous. */
    Tensor unrows(Tensor rows, int rank, int dim) {
        if (dim == rank - 1) return rows;
        return tensors.contiguous(rows.permute(inverse(moveToEnd(rank, dim))));
    }

    @Override
    public Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) {
        x = on(x);
        int[] shape = x.shape();
        if (shape.length == 0) return on(Tensor.scalar(0, DType.I64));
        int n = shape[dim];
        if (n == 0) throw new IllegalArgumentException("arg" + (max ? "max" : "min") + " over an empty dimension");
        Tensor rows = rows(x, dim, null);
        int outer = rows.numel() / n;
        Tensor out = tensors.empty(DType.I64, outer);
        if (outer > 0) cuda.launch("reduce", "arg_reduce", outer, 1, 1, 256, 0, max ? 1 : 0, address(rows), code(rows.dtype()), n, address(out));
        Tensor result = out.view(outShape(shape, new int[] {dim}, false));
        return keepdim ? result.unsqueeze(dim) : result;
    }

    @Override
    public Tensor cumsum(Tensor x, int dim) {
        x = on(x);
        DType domain = domain(x.dtype());
        if (x.dim() == 0) return converted(x, domain);
        Tensor rows = rows(x, dim, null);
        int n = rows.size(-1), count = n == 0 ? 0 : rows.numel() / n;
        Tensor out = tensors.empty(domain, rows.shape());
        cuda.launch1d("reduce", "cumsum_rows", count, domainCode(domain), address(rows), code(rows.dtype()), count, n, address(out));
        return unrows(out, x.dim(), dim);
    }

    // ------------------------------------------------------------------ per-row kernels

    private static int rowBlock(int n) {
        return n >= 1024 ? 512 : n >= 256 ? 256 : 128;
    }

    @Override
    public Tensor softmax(Tensor x, int dim, boolean log) {
        x = on(x);
        if (x.dim() == 0) return softmax(x.unsqueeze(0), 0, log).squeeze(0);
        DType domain = x.dtype().computeType();
        Tensor rows = rows(x, dim, null);
        int n = rows.size(-1), count = n == 0 ? 0 : rows.numel() / n;
        Tensor out = tensors.empty(domain, rows.shape());
        int block = rowBlock(n);
        if (count > 0) {
            cuda.launch("rows", domain == DType.F32 ? "softmax_f32" : "softmax_f64", count, 1, 1, block,
                    block * domain.byteSize(), address(rows), code(rows.dtype()), n, log ? 1 : 0, address(out));
        }
        return unrows(out, x.dim(), dim);
    }

    @Override
    public Tensor softmaxBackward(Tensor grad, Tensor y, int dim, boolean log) {
        grad = on(grad);
        y = on(y);
        if (!Arrays.equals(grad.shape(), y.shape())) {
            throw new IllegalArgumentException("softmax backward: gradient " + Arrays.toString(grad.shape()) + " and output "
                    + Arrays.toString(y.shape()) + " differ");
        }
        if (y.dim() == 0) return softmaxBackward(grad.unsqueeze(0), y.unsqueeze(0), 0, log).squeeze(0);
        DType domain = DType.promote(grad.dtype(), y.dtype()).computeType();
        Tensor g = rows(grad, dim, domain), yr = rows(y, dim, domain);
        int n = yr.size(-1), count = n == 0 ? 0 : yr.numel() / n;
        Tensor out = tensors.empty(domain, yr.shape());
        int block = rowBlock(n);
        if (count > 0) {
            cuda.launch("rows", domain == DType.F32 ? "softmax_backward_f32" : "softmax_backward_f64", count, 1, 1, block,
                    block * domain.byteSize(), address(g), address(yr), n, log ? 1 : 0, address(out));
        }
        return unrows(out, y.dim(), dim);
    }

    private static void checkParam(String name, Tensor p, int n, Tensor x) {
        if (p != null && (p.dim() != 1 || p.size(0) != n)) {
            throw new IllegalArgumentException("normalization " + name + " has shape " + Arrays.toString(p.shape())
                    + ", expected [" + n + "] for input " + Arrays.toString(x.shape()));
        }
    }

    private Tensor normalize(Tensor x, Tensor weight, Tensor bias, double eps, boolean rms) {
        x = on(x);
        weight = on(weight);
        bias = on(bias);
        if (x.dim() == 0) throw new IllegalArgumentException("normalization needs at least one dim");
        int n = x.size(-1);
        checkParam("weight", weight, n, x);
        checkParam("bias", bias, n, x);
        DType domain = x.dtype().computeType();
        if (weight != null && weight.dtype() == DType.F64) domain = DType.F64;
        Tensor rows = tensors.contiguous(x, domain);
        Tensor w = weight == null ? null : tensors.contiguous(weight, weight.dtype());
        Tensor b = bias == null ? null : tensors.contiguous(bias, bias.dtype());
        int count = n == 0 ? 0 : rows.numel() / n;
        Tensor out = tensors.empty(domain, x.shape());
        int block = rowBlock(n);
        if (count > 0) {
            boolean f32 = domain == DType.F32;
            cuda.launch("rows", f32 ? "norm_f32" : "norm_f64", count, 1, 1, block, block * domain.byteSize(), address(rows), n,
                    w == null ? 0L : address(w), w == null ? 0 : code(w.dtype()), b == null ? 0L : address(b),
                    b == null ? 0 : code(b.dtype()), f32 ? (Object) (float) eps : (Object) eps, rms ? 1 : 0, address(out));
        }
        return out;
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return normalize(x, weight, bias, eps, false);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return normalize(x, weight, null, eps, true);
    }

    @Override
    public Tensor[] normBackward(Tensor grad, Tensor x, Tensor weight, double eps, boolean rms, boolean weightGrad,
                                 boolean biasGrad) {
        grad = on(grad);
        x = on(x);
        weight = on(weight);
        if (!Arrays.equals(grad.shape(), x.shape())) {
            throw new IllegalArgumentException("normalization backward: gradient " + Arrays.toString(grad.shape())
                    + " and input " + Arrays.toString(x.shape()) + " differ");
        }
        if (x.dim() == 0) throw new IllegalArgumentException("normalization needs at least one dim");
        int n = x.size(-1);
        if (weight != null && (weight.dim() != 1 || weight.size(0) != n)) {
            throw new IllegalArgumentException("normalization weight has shape " + Arrays.toString(weight.shape())
                    + ", expected [" + n + "]");
        }
        DType domain = DType.promote(grad.dtype(), x.dtype()).computeType();
        if (weight != null && weight.dtype() == DType.F64) domain = DType.F64;
        boolean f32 = domain == DType.F32;
        String sfx = f32 ? "_f32" : "_f64";
        Tensor xr = tensors.contiguous(x, domain), gr = tensors.contiguous(grad, domain);
        Tensor w = weight == null ? null : tensors.contiguous(weight, weight.dtype());
        boolean wantW = weightGrad && weight != null;
        int count = n == 0 ? 0 : xr.numel() / n;
        Tensor dx = tensors.empty(domain, x.shape());
        Tensor means = tensors.empty(domain, Math.max(count, 1)), rs = tensors.empty(domain, Math.max(count, 1));
        int block = rowBlock(n);
        Object epsArg = f32 ? (Object) (float) eps : (Object) eps;
        if (count > 0) {
            cuda.launch("rows", "norm_backward" + sfx, count, 1, 1, block, block * domain.byteSize(), address(gr), address(xr), n,
                    w == null ? 0L : address(w), w == null ? 0 : code(w.dtype()), epsArg, rms ? 1 : 0, address(dx),
                    address(means), address(rs));
        }
        Tensor dw = null, db = null;
        int sums = (wantW ? 1 : 0) + (biasGrad ? 1 : 0);
        if (sums > 0) {
            int rowsPerChunk = Math.max(1, 16384 / Math.max(n, 1)), chunks = Math.max(1, (count + rowsPerChunk - 1) / rowsPerChunk);
            Tensor partial = tensors.zeros(domain, chunks, sums, n);
            if (count > 0) {
                cuda.launch1d("rows", "norm_param_grads" + sfx, (long) chunks * n, address(gr), address(xr), address(means),
                        address(rs), count, n, rowsPerChunk, wantW ? 1 : 0, biasGrad ? 1 : 0, address(partial));
            }
            Tensor sum = reduceContiguous(ReduceOp.SUM, partial, 1, chunks, sums * n).view(sums, n);
            if (wantW) dw = sum.select(0, 0);
            if (biasGrad) db = sum.select(0, wantW ? 1 : 0);
        }
        return new Tensor[] {dx, dw, db};
    }

    @Override
    public Tensor rope(Tensor x, Tensor cos, Tensor sin, boolean interleaved) {
        x = on(x);
        cos = on(cos);
        sin = on(sin);
        if (x.dim() == 0) throw new IllegalArgumentException("rope needs at least one dim");
        int d = x.size(-1);
        if (d % 2 != 0) throw new IllegalArgumentException("rope needs an even last dim, got shape " + Arrays.toString(x.shape()));
        int half = d / 2;
        int[] angleShape = x.shape();
        angleShape[angleShape.length - 1] = half;
        Tensor c = Backend.ropeAngles("cos", cos, angleShape, x), s = Backend.ropeAngles("sin", sin, angleShape, x);
        boolean f64 = x.dtype() == DType.F64 || cos.dtype() == DType.F64 || sin.dtype() == DType.F64;
        DType domain = f64 ? DType.F64 : DType.F32;
        Tensor xin = tensors.contiguous(x, domain);
        int rows = half == 0 ? 0 : x.numel() / d;
        Tensor out = tensors.empty(domain, x.shape());
        Layout l = Layout.of(angleShape, c.strides(), s.strides());
        cuda.launch1d("rows", f64 ? "rope_f64" : "rope_f32", (long) rows * half, address(xin), l.toInts(), address(c),
                code(c.dtype()), address(s), code(s.dtype()), rows, half, interleaved ? 1 : 0, address(out));
        return out;
    }


    // ------------------------------------------------------------------ linear algebra, attention, graphs

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        return matmul.matmul(on(a), on(b));
    }

    @Override
    public Tensor segmentMatmul(Tensor x, int[] offsets, Tensor w) {
        return matmul.segmentMatmul(on(x), offsets, on(w));
    }

    @Override
    public Tensor segmentTransposeMatmul(Tensor x, int[] offsets, Tensor y) {
        return matmul.segmentTransposeMatmul(on(x), offsets, on(y));
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        return attention.forward(on(q), on(k), on(v), on(bias), scale, false);
    }

    /**
     * Attention with a causal mask applied by the kernel (key j visible to query i iff j <= i + Tk - Tq), which also
     * skips the key tiles a query tile cannot see: the entry point for causal attention until {@link Backend} has a
     * causal flag. {@code bias} may still add padding masks.
     */
    public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, boolean causal) {
        return attention.forward(on(q), on(k), on(v), on(bias), scale, causal);
    }

    @Override
    public Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out, Tensor gradOut,
                                      boolean[] needed) {
        return attention.backward(on(q), on(k), on(v), on(bias), scale, on(out), on(gradOut), needed, false);
    }

    /** The gradients of {@link #attention(Tensor, Tensor, Tensor, Tensor, double, boolean)} with its causal flag. */
    public Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out, Tensor gradOut,
                                      boolean[] needed, boolean causal) {
        return attention.backward(on(q), on(k), on(v), on(bias), scale, on(out), on(gradOut), needed, causal);
    }

    @Override
    public Tensor spmm(CsrMatrix a, Tensor x) {
        return indexing.spmm(a, on(x));
    }

    @Override
    public Tensor gather(Tensor x, int dim, Tensor index) {
        return indexing.gather(on(x), dim, index);
    }

    @Override
    public Tensor indexSelect(Tensor x, int dim, Tensor index) {
        return indexing.indexSelect(on(x), dim, index);
    }

    @Override
    public Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        return indexing.scatterAdd(on(self), dim, index, on(src));
    }

    @Override
    public Tensor indexAdd(Tensor self, int dim, Tensor index, Tensor src) {
        return indexing.indexAdd(on(self), dim, index, on(src));
    }

    // ------------------------------------------------------------------ optimizer, sorting, random numbers

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double l2, double decay, double beta1,
                           double beta2, double eps, double stepSize, double bc2Sqrt) {
        grad = on(grad);
        for (Tensor t : new Tensor[] {grad, expAvg, expAvgSq}) {
            if (!Arrays.equals(t.shape(), param.shape())) {
                throw new IllegalArgumentException("adam_update: shapes differ: parameter " + Arrays.toString(param.shape())
                        + ", other " + Arrays.toString(t.shape()));
            }
        }
        DType dt = param.dtype();
        if ((dt != DType.F32 && dt != DType.F64) || expAvg.dtype() != dt || expAvgSq.dtype() != dt) {
            throw new IllegalArgumentException("adam_update: parameter and moments must all be F32 or all F64, got "
                    + dt + ", " + expAvg.dtype() + ", " + expAvgSq.dtype());
        }
        for (Tensor t : new Tensor[] {param, expAvg, expAvgSq}) {
            if (!t.isContiguous() || !t.device().equals(device())) {
                throw new IllegalArgumentException("adam_update: parameter and moments must be contiguous tensors on "
                        + device() + " (updated in place)");
            }
        }
        Tensor g = tensors.contiguous(grad, dt);
        long n = param.numel();
        if (dt == DType.F32) {
            cuda.launch1d("rows", "adam_f32", n, n, address(param), address(g), address(expAvg), address(expAvgSq), (float) l2,
                    (float) decay, (float) beta1, (float) beta2, (float) (1 - beta1), (float) (1 - beta2), (float) eps,
                    (float) stepSize, (float) bc2Sqrt);
        } else {
            cuda.launch1d("rows", "adam_f64", n, n, address(param), address(g), address(expAvg), address(expAvgSq), l2, decay,
                    beta1, beta2, eps, stepSize, bc2Sqrt);
        }
    }

    @Override
    public Tensor[] sort(Tensor x, int dim, boolean descending, int k) {
        return sort.sort(on(x), dim, descending, k);
    }

    @Override
    public Tensor random(Generator.Distribution distribution, Generator rng, double a, double b, DType dtype, int... shape) {
        if (!dtype.isFloating()) throw new IllegalArgumentException("random tensors are floating point, not " + dtype);
        if (distribution == Generator.Distribution.UNIFORM && !(a <= b)) {
            throw new IllegalArgumentException("uniform range [" + a + ", " + b + ") is empty or NaN");
        }
        if (distribution == Generator.Distribution.NORMAL && !(b >= 0)) {
            throw new IllegalArgumentException("normal standard deviation must be >= 0, got " + b);
        }
        int n = Shape.numel(shape);
        long start = rng.advance(n);
        boolean f64 = dtype == DType.F64;
        Tensor out = tensors.empty(f64 ? DType.F64 : DType.F32, shape);
        cuda.launch1d("misc", "random_fill", n, (long) n, distribution.ordinal(), start, rng.seed(), a, b, f64 ? 1 : 0, address(out));
        return dtype == out.dtype() ? out : out.to(dtype);
    }

    @Override
    public String toString() {
        return "CudaBackend(" + device() + ")";
    }
}

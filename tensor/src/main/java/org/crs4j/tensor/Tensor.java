package org.crs4j.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.crs4j.tensor.cpu.CpuStorage;

/**
 * An n-dimensional view (shape, strides, offset) over a {@link Storage}.
 *
 * <p>View methods (reshape when possible, permute, transpose, narrow, slice, select, expand, squeeze, unsqueeze)
 * never copy. Op methods are thin: they dispatch to the device's {@link Backend}, where each primitive op is
 * defined once, or compose primitives (mean = sum / n, logsumexp = max + log sum exp, ...). Names and semantics
 * follow PyTorch so that a reader can map every line to its torch counterpart.
 *
 * <p>Shapes are int-indexed: one tensor holds at most 2^31-1 elements.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and strides "
                    + Arrays.toString(strides) + " differ in rank");
        }
        this.storage = storage;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
        checkBounds();
    }

    private void checkBounds() {
        long lo = offset, hi = offset;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            if (shape[i] == 0) return;
            long span = (long) (shape[i] - 1) * strides[i];
            if (span < 0) lo += span; else hi += span;
        }
        if (lo < 0 || hi >= storage.length()) {
            throw new IllegalArgumentException("view " + Arrays.toString(shape) + " strides " + Arrays.toString(strides)
                    + " offset " + offset + " exceeds storage of " + storage.length() + " elements");
        }
    }

    /** A contiguous tensor over the whole storage. */
    public static Tensor of(Storage storage, int... shape) {
        Shape.numel(shape);
        return new Tensor(storage, shape, Shape.contiguousStrides(shape), 0);
    }

    // ------------------------------------------------------------------ factories (CPU)

    public static Tensor of(float[] data, int... shape) {
        checkLength(data.length, shape);
        return of(CpuStorage.of(data), shape);
    }

    public static Tensor of(double[] data, int... shape) {
        checkLength(data.length, shape);
        return of(CpuStorage.of(data), shape);
    }

    public static Tensor of(int[] data, int... shape) {
        checkLength(data.length, shape);
        return of(CpuStorage.of(data), shape);
    }

    public static Tensor of(long[] data, int... shape) {
        checkLength(data.length, shape);
        return of(CpuStorage.of(data), shape);
    }

    public static Tensor ofBool(boolean[] data, int... shape) {
        checkLength(data.length, shape);
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) b[i] = data[i] ? (byte) 1 : 0;
        return of(CpuStorage.ofBool(b), shape);
    }

    /** A 1-d F32 tensor. */
    public static Tensor vector(float... data) {
        return of(data, data.length);
    }

    /** A 0-d tensor. */
    public static Tensor scalar(double value, DType dtype) {
        Tensor t = zeros(dtype);
        ((CpuStorage) t.storage).setDouble(0, value);
        return t;
    }

    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    private static void checkLength(int length, int[] shape) {
        if (Shape.numel(shape) != length) {
            throw new IllegalArgumentException(length + " values do not fill shape " + Arrays.toString(shape));
        }
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return Backends.get(Device.CPU).zeros(dtype, shape);
    }

    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, shape);
    }

    public static Tensor full(double value, DType dtype, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (value != 0) t.fill(value);
        return t;
    }

    public static Tensor ones(int... shape) {
        return full(1, DType.F32, shape);
    }

    public static Tensor arange(long end) {
        return arange(0, end, 1, DType.I64);
    }

    public static Tensor arange(double start, double end, double step, DType dtype) {
        return Backends.get(Device.CPU).arange(start, end, step, dtype);
    }

    /** Uniform in [low, high). */
    public static Tensor rand(Generator rng, double low, double high, DType dtype, int... shape) {
        return Backends.get(Device.CPU).random(Generator.Distribution.UNIFORM, rng, low, high, dtype, shape);
    }

    public static Tensor rand(Generator rng, int... shape) {
        return rand(rng, 0, 1, DType.F32, shape);
    }

    /** Normal with the given mean and standard deviation. */
    public static Tensor randn(Generator rng, double mean, double std, DType dtype, int... shape) {
        return Backends.get(Device.CPU).random(Generator.Distribution.NORMAL, rng, mean, std, dtype, shape);
    }

    public static Tensor randn(Generator rng, int... shape) {
        return randn(rng, 0, 1, DType.F32, shape);
    }

    /** A random permutation of 0..n-1 (I64): the stable argsort of F64 uniform keys. */
    public static Tensor randperm(Generator rng, int n) {
        return rand(rng, 0, 1, DType.F64, n).argsort(0, false);
    }

    /** Square (rows x cols) BOOL mask, true on and below diagonal {@code k} (torch.tril of ones). */
    public static Tensor trilMask(int rows, int cols, int k) {
        Tensor r = arange(0, rows, 1, DType.I64).unsqueeze(1);
        Tensor c = arange(0, cols, 1, DType.I64).unsqueeze(0);
        return c.le(r.add(k));
    }

    /** BOOL mask, true on and above diagonal {@code k} (torch.triu of ones). */
    public static Tensor triuMask(int rows, int cols, int k) {
        Tensor r = arange(0, rows, 1, DType.I64).unsqueeze(1);
        Tensor c = arange(0, cols, 1, DType.I64).unsqueeze(0);
        return c.ge(r.add(k));
    }

    // ------------------------------------------------------------------ metadata

    public Storage storage() {
        return storage;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    public int offset() {
        return offset;
    }

    public int dim() {
        return shape.length;
    }

    public int size(int dim) {
        return shape[Shape.normalizeDim(dim, shape.length)];
    }

    public int stride(int dim) {
        return strides[Shape.normalizeDim(dim, shape.length)];
    }

    public int numel() {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    public Backend backend() {
        return Backends.get(device());
    }

    /** Row-major contiguous: elements laid out in order with no gaps (size-1 dims may have any stride). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 0) return true;
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    // ------------------------------------------------------------------ views

    /** A view with a new shape (one dim may be -1); fails when the strides do not allow it (use reshape). */
    public Tensor view(int... newShape) {
        int[] target = Shape.inferSize(newShape, numel());
        int[] newStrides = viewStrides(target);
        if (newStrides == null) {
            throw new IllegalArgumentException("view " + Arrays.toString(newShape) + " is not possible on a tensor of shape "
                    + Arrays.toString(shape) + " with strides " + Arrays.toString(strides) + "; use reshape()");
        }
        return new Tensor(storage, target, newStrides, offset);
    }

    /** Like view, copying only when the strides do not allow a view. */
    public Tensor reshape(int... newShape) {
        int[] target = Shape.inferSize(newShape, numel());
        int[] newStrides = viewStrides(target);
        if (newStrides != null) return new Tensor(storage, target, newStrides, offset);
        return contiguous().view(target);
    }

    /** Strides for viewing this tensor as {@code target}, or null (the algorithm of torch's computeStride). */
    private int[] viewStrides(int[] target) {
        int[] out = new int[target.length];
        if (numel() == 0) return Shape.contiguousStrides(target);
        int viewD = target.length - 1;
        long chunkBase = shape.length == 0 ? 1 : strides[shape.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] == 1)) {
                    out[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= target[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) {
            // only size-1 dims remain (shape was a scalar or all ones)
            while (viewD >= 0) {
                if (target[viewD] != 1) return null;
                out[viewD] = 1;
                viewD--;
            }
        }
        return out;
    }

    public Tensor flatten() {
        return reshape(numel());
    }

    /** Merges dims start..end (inclusive) into one. */
    public Tensor flatten(int start, int end) {
        int s = Shape.normalizeDim(start, dim()), e = Shape.normalizeDim(end, dim());
        int[] ns = new int[dim() - (e - s)];
        int k = 0, merged = 1;
        for (int i = 0; i < dim(); i++) {
            if (i < s || i > e) ns[k++] = shape[i];
            else {
                merged *= shape[i];
                if (i == e) ns[k++] = merged;
            }
        }
        return reshape(ns);
    }

    public Tensor permute(int... order) {
        if (order.length != dim()) {
            throw new IllegalArgumentException("permute " + Arrays.toString(order) + " does not match rank " + dim());
        }
        int[] ns = new int[dim()], st = new int[dim()];
        boolean[] seen = new boolean[dim()];
        for (int i = 0; i < order.length; i++) {
            int d = Shape.normalizeDim(order[i], dim());
            if (seen[d]) throw new IllegalArgumentException("permute repeats dim " + order[i] + ": " + Arrays.toString(order));
            seen[d] = true;
            ns[i] = shape[d];
            st[i] = strides[d];
        }
        return new Tensor(storage, ns, st, offset);
    }

    public Tensor transpose(int d0, int d1) {
        int a = Shape.normalizeDim(d0, dim()), b = Shape.normalizeDim(d1, dim());
        int[] order = new int[dim()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** Transpose of the last two dims. */
    public Tensor mT() {
        if (dim() < 2) throw new IllegalArgumentException("mT needs at least 2 dims, got shape " + Arrays.toString(shape));
        return transpose(-2, -1);
    }

    /** Elements start..start+length-1 of {@code dim}. */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shape.normalizeDim(dim, dim());
        if (start < 0) start += shape[d];
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IllegalArgumentException("narrow(" + dim + ", " + start + ", " + length + ") out of range for size "
                    + shape[d]);
        }
        int[] ns = shape.clone();
        ns[d] = length;
        return new Tensor(storage, ns, strides, offset + (length == 0 ? 0 : start * strides[d]));
    }

    /** Python-style slice start:end:step of {@code dim} (negative indices count from the end; step > 0). */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shape.normalizeDim(dim, dim());
        if (step <= 0) throw new IllegalArgumentException("slice step must be positive, got " + step);
        int n = shape[d];
        int s = Math.clamp(start < 0 ? start + n : start, 0, n);
        int e = Math.clamp(end < 0 ? end + n : end, 0, n);
        int len = e > s ? (e - s + step - 1) / step : 0;
        int[] ns = shape.clone(), st = strides.clone();
        ns[d] = len;
        st[d] = strides[d] * step;
        return new Tensor(storage, ns, st, offset + (len == 0 ? 0 : s * strides[d]));
    }

    /** Removes {@code dim} by taking entry {@code index} of it. */
    public Tensor select(int dim, int index) {
        int d = Shape.normalizeDim(dim, dim());
        int i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IndexOutOfBoundsException("index " + index + " out of range for dim " + dim + " of size " + shape[d]);
        }
        int[] ns = new int[dim() - 1], st = new int[dim() - 1];
        for (int k = 0, j = 0; k < dim(); k++) {
            if (k == d) continue;
            ns[j] = shape[k];
            st[j++] = strides[k];
        }
        return new Tensor(storage, ns, st, offset + i * strides[d]);
    }

    /** Broadcasts to {@code target} without copying (stride 0 on expanded dims); -1 keeps a dim. */
    public Tensor expand(int... target) {
        if (target.length < dim()) {
            throw new IllegalArgumentException("cannot expand shape " + Arrays.toString(shape) + " to fewer dims "
                    + Arrays.toString(target));
        }
        int lead = target.length - dim();
        int[] ns = new int[target.length], st = new int[target.length];
        for (int i = 0; i < target.length; i++) {
            if (i < lead) {
                if (target[i] < 0) throw new IllegalArgumentException("-1 is not allowed for a new leading dim in expand");
                ns[i] = target[i];
                st[i] = 0;
            } else {
                int own = shape[i - lead];
                int want = target[i] == -1 ? own : target[i];
                if (own == want) {
                    ns[i] = own;
                    st[i] = strides[i - lead];
                } else if (own == 1) {
                    ns[i] = want;
                    st[i] = 0;
                } else {
                    throw new IllegalArgumentException("cannot expand shape " + Arrays.toString(shape) + " to "
                            + Arrays.toString(target) + " (dim " + i + ": " + own + " vs " + want + ")");
                }
            }
        }
        return new Tensor(storage, ns, st, offset);
    }

    public Tensor broadcastTo(int... target) {
        return expand(target);
    }

    public Tensor unsqueeze(int dim) {
        int d = Shape.normalizeDim(dim, dim() + 1);
        int[] ns = new int[dim() + 1], st = new int[dim() + 1];
        for (int i = 0, j = 0; i < ns.length; i++) {
            if (i == d) {
                ns[i] = 1;
                st[i] = j < dim() ? strides[j] * shape[j] : 1;
            } else {
                ns[i] = shape[j];
                st[i] = strides[j++];
            }
        }
        return new Tensor(storage, ns, st, offset);
    }

    /** Removes all size-1 dims. */
    public Tensor squeeze() {
        int n = 0;
        for (int s : shape) if (s != 1) n++;
        int[] ns = new int[n], st = new int[n];
        for (int i = 0, j = 0; i < dim(); i++) {
            if (shape[i] != 1) {
                ns[j] = shape[i];
                st[j++] = strides[i];
            }
        }
        return new Tensor(storage, ns, st, offset);
    }

    /** Removes {@code dim} if its size is 1 (else returns this, as torch does). */
    public Tensor squeeze(int dim) {
        int d = Shape.normalizeDim(dim, dim());
        if (shape[d] != 1) return this;
        int[] ns = new int[dim() - 1], st = new int[dim() - 1];
        for (int i = 0, j = 0; i < dim(); i++) {
            if (i == d) continue;
            ns[j] = shape[i];
            st[j++] = strides[i];
        }
        return new Tensor(storage, ns, st, offset);
    }

    /** This tensor if contiguous, else a contiguous copy (F32 for Q8_0, see {@link #copy()}). */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return copy();
    }

    /**
     * A contiguous copy (always copies). A Q8_0 tensor copies to F32, its dequantized values exactly: quantization is
     * lossy and happens only where asked for, in {@code to(DType.Q8_0)}.
     */
    public Tensor copy() {
        return to(dtype() == DType.Q8_0 ? DType.F32 : dtype(), true);
    }

    /** This tensor in {@code dtype}; returns this when it already is that dtype. */
    public Tensor to(DType dtype) {
        return to(dtype, false);
    }

    private Tensor to(DType dtype, boolean forceCopy) {
        if (dtype == dtype() && !forceCopy) return this;
        Tensor out = backend().zeros(dtype, shape);
        backend().copy(this, out);
        return out;
    }

    /** Copies {@code src} (broadcast to this shape, converted to this dtype) into this view. Returns this. */
    public Tensor copyFrom(Tensor src) {
        Backends.of(this, src).copy(src, this);
        return this;
    }

    /** Sets every element of this view to {@code value}. Returns this. */
    public Tensor fill(double value) {
        return copyFrom(scalar(value, dtype().isFloating() ? DType.F64 : DType.I64));
    }

    /** Splits {@code dim} into chunks of {@code size} (the last may be smaller); views. */
    public List<Tensor> split(int size, int dim) {
        if (size <= 0) throw new IllegalArgumentException("split size must be positive, got " + size);
        int d = Shape.normalizeDim(dim, dim());
        List<Tensor> parts = new ArrayList<>();
        for (int s = 0; s < shape[d]; s += size) parts.add(narrow(d, s, Math.min(size, shape[d] - s)));
        return parts;
    }

    /** Splits {@code dim} into pieces of the given sizes; views. */
    public List<Tensor> split(int[] sizes, int dim) {
        int d = Shape.normalizeDim(dim, dim());
        int total = 0;
        for (int s : sizes) total += s;
        if (total != shape[d]) {
            throw new IllegalArgumentException("split sizes " + Arrays.toString(sizes) + " sum to " + total
                    + ", not the size " + shape[d] + " of dim " + dim);
        }
        List<Tensor> parts = new ArrayList<>();
        int start = 0;
        for (int s : sizes) {
            parts.add(narrow(d, start, s));
            start += s;
        }
        return parts;
    }

    // ------------------------------------------------------------------ joining

    /** Concatenates along {@code dim}; all tensors share the other dims. */
    public static Tensor concat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("concat of an empty list");
        Tensor first = tensors.get(0);
        int d = Shape.normalizeDim(dim, first.dim());
        int[] out = first.shape();
        int total = 0;
        DType dtype = first.dtype();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (t.dim() != first.dim()) {
                throw new IllegalArgumentException("concat: tensor " + i + " has rank " + t.dim() + ", expected " + first.dim());
            }
            for (int k = 0; k < t.dim(); k++) {
                if (k != d && t.shape[k] != out[k]) {
                    throw new IllegalArgumentException("concat: tensor " + i + " has shape " + Arrays.toString(t.shape)
                            + ", incompatible with " + Arrays.toString(first.shape) + " outside dim " + d);
                }
            }
            total += t.shape[d];
            if (t.dtype() != dtype) dtype = DType.promote(dtype, t.dtype());
        }
        out[d] = total;
        Tensor result = first.backend().zeros(dtype, out);
        int start = 0;
        for (Tensor t : tensors) {
            result.narrow(d, start, t.shape[d]).copyFrom(t);
            start += t.shape[d];
        }
        return result;
    }

    public static Tensor concat(int dim, Tensor... tensors) {
        return concat(List.of(tensors), dim);
    }

    /** Stacks equally shaped tensors along a new dim. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack of an empty list");
        int d = Shape.normalizeDim(dim, tensors.get(0).dim() + 1);
        List<Tensor> parts = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            if (!tensors.get(i).sameShape(tensors.get(0))) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Arrays.toString(tensors.get(i).shape)
                        + ", expected " + Arrays.toString(tensors.get(0).shape));
            }
            parts.add(tensors.get(i).unsqueeze(d));
        }
        return concat(parts, d);
    }

    // ------------------------------------------------------------------ element-wise

    public Tensor neg() { return backend().unary(UnaryOp.NEG, this); }
    public Tensor abs() { return backend().unary(UnaryOp.ABS, this); }
    public Tensor sign() { return backend().unary(UnaryOp.SIGN, this); }
    public Tensor exp() { return backend().unary(UnaryOp.EXP, this); }
    public Tensor log() { return backend().unary(UnaryOp.LOG, this); }
    public Tensor sqrt() { return backend().unary(UnaryOp.SQRT, this); }
    public Tensor rsqrt() { return backend().unary(UnaryOp.RSQRT, this); }
    public Tensor reciprocal() { return backend().unary(UnaryOp.RECIPROCAL, this); }
    public Tensor square() { return backend().unary(UnaryOp.SQUARE, this); }
    public Tensor tanh() { return backend().unary(UnaryOp.TANH, this); }
    public Tensor sigmoid() { return backend().unary(UnaryOp.SIGMOID, this); }
    public Tensor relu() { return backend().unary(UnaryOp.RELU, this); }
    public Tensor gelu() { return backend().unary(UnaryOp.GELU, this); }
    public Tensor geluTanh() { return backend().unary(UnaryOp.GELU_TANH, this); }
    public Tensor silu() { return backend().unary(UnaryOp.SILU, this); }
    public Tensor sin() { return backend().unary(UnaryOp.SIN, this); }
    public Tensor cos() { return backend().unary(UnaryOp.COS, this); }
    public Tensor erf() { return backend().unary(UnaryOp.ERF, this); }

    public Tensor apply(UnaryOp op) { return backend().unary(op, this); }

    public Tensor apply(BinaryOp op, Tensor other) { return Backends.of(this, other).binary(op, this, other); }

    public Tensor add(Tensor o) { return apply(BinaryOp.ADD, o); }
    public Tensor sub(Tensor o) { return apply(BinaryOp.SUB, o); }
    public Tensor mul(Tensor o) { return apply(BinaryOp.MUL, o); }
    public Tensor div(Tensor o) { return apply(BinaryOp.DIV, o); }
    public Tensor maximum(Tensor o) { return apply(BinaryOp.MAX, o); }
    public Tensor minimum(Tensor o) { return apply(BinaryOp.MIN, o); }
    public Tensor pow(Tensor o) { return apply(BinaryOp.POW, o); }
    public Tensor eq(Tensor o) { return apply(BinaryOp.EQ, o); }
    public Tensor ne(Tensor o) { return apply(BinaryOp.NE, o); }
    public Tensor lt(Tensor o) { return apply(BinaryOp.LT, o); }
    public Tensor le(Tensor o) { return apply(BinaryOp.LE, o); }
    public Tensor gt(Tensor o) { return apply(BinaryOp.GT, o); }
    public Tensor ge(Tensor o) { return apply(BinaryOp.GE, o); }
    public Tensor and(Tensor o) { return apply(BinaryOp.AND, o); }
    public Tensor or(Tensor o) { return apply(BinaryOp.OR, o); }

    public Tensor add(double c) { return add(scalarLike(c)); }
    public Tensor sub(double c) { return sub(scalarLike(c)); }
    public Tensor mul(double c) { return mul(scalarLike(c)); }
    public Tensor div(double c) { return div(scalarLike(c)); }
    public Tensor pow(double c) { return pow(scalarLike(c)); }
    public Tensor maximum(double c) { return maximum(scalarLike(c)); }
    public Tensor minimum(double c) { return minimum(scalarLike(c)); }
    public Tensor eq(double c) { return eq(scalarLike(c)); }
    public Tensor ne(double c) { return ne(scalarLike(c)); }
    public Tensor lt(double c) { return lt(scalarLike(c)); }
    public Tensor le(double c) { return le(scalarLike(c)); }
    public Tensor gt(double c) { return gt(scalarLike(c)); }
    public Tensor ge(double c) { return ge(scalarLike(c)); }

    /** Clamps into [min, max]. */
    public Tensor clamp(double min, double max) {
        return maximum(min).minimum(max);
    }

    /** logical not of a mask. */
    public Tensor not() {
        return eq(0);
    }

    /**
     * A 0-d constant to combine with this tensor: integral values stay integral for integer tensors, so that
     * index arithmetic stays exact; everything else is F32 (or F64 next to an F64 tensor).
     */
    private Tensor scalarLike(double c) {
        DType t = dtype();
        if (t == DType.F64) return onDevice(scalar(c, DType.F64));
        if (!t.isFloating() && c == Math.rint(c) && Math.abs(c) < 0x1p53) {
            return onDevice(scalar(c, t == DType.BOOL ? DType.I64 : t));
        }
        return onDevice(scalar(c, DType.F32));
    }

    private Tensor onDevice(Tensor cpu) {
        return device().equals(Device.CPU) ? cpu : cpu.toDevice(device());
    }

    /** {@code cond ? a : b}. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Backends.of(cond, a, b).where(cond, a, b);
    }

    /** {@code mask ? value : this} (torch.masked_fill). */
    public Tensor maskedFill(Tensor mask, double value) {
        return where(mask, scalarLike(value).to(dtype().isFloating() ? dtype().computeType() : dtype()), this);
    }

    // ------------------------------------------------------------------ reductions

    public Tensor sum(int[] dims, boolean keepdim) {
        return backend().reduce(ReduceOp.SUM, this, Shape.normalizeDims(dims, dim()), keepdim);
    }

    /** Sum of all elements (0-d). */
    public Tensor sum() {
        return sum(new int[0], false);
    }

    public Tensor sum(int dim, boolean keepdim) {
        return sum(new int[] {dim}, keepdim);
    }

    public Tensor max(int[] dims, boolean keepdim) {
        return backend().reduce(ReduceOp.MAX, this, Shape.normalizeDims(dims, dim()), keepdim);
    }

    public Tensor max(int dim, boolean keepdim) {
        return max(new int[] {dim}, keepdim);
    }

    public Tensor max() {
        return max(new int[0], false);
    }

    public Tensor min(int[] dims, boolean keepdim) {
        return backend().reduce(ReduceOp.MIN, this, Shape.normalizeDims(dims, dim()), keepdim);
    }

    public Tensor min(int dim, boolean keepdim) {
        return min(new int[] {dim}, keepdim);
    }

    public Tensor min() {
        return min(new int[0], false);
    }

    public Tensor mean(int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims(dims, dim());
        return sum(d, keepdim).div(count(d));
    }

    public Tensor mean(int dim, boolean keepdim) {
        return mean(new int[] {dim}, keepdim);
    }

    public Tensor mean() {
        return mean(new int[0], false);
    }

    /** Variance with Bessel's {@code correction} (1 = unbiased, as torch.var's default), two-pass. */
    public Tensor var(int[] dims, int correction, boolean keepdim) {
        int[] d = Shape.normalizeDims(dims, dim());
        Tensor centered = sub(mean(d, true));
        return centered.square().sum(d, keepdim).div(Math.max(0, count(d) - correction));
    }

    public Tensor var(int dim, boolean keepdim) {
        return var(new int[] {dim}, 1, keepdim);
    }

    /** log(sum(exp(x))) over dims, shifted by the max so that large inputs do not overflow. */
    public Tensor logsumexp(int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims(dims, dim());
        Tensor m = max(d, true);
        // An all -inf (or +inf) slice would give inf - inf = NaN; shift by 0 there, as torch does.
        Tensor shift = where(m.abs().eq(Double.POSITIVE_INFINITY), scalarLike(0), m);
        Tensor lse = sub(shift).exp().sum(d, true).log().add(shift);
        return keepdim ? lse : squeezeDims(lse, d);
    }

    public Tensor logsumexp(int dim, boolean keepdim) {
        return logsumexp(new int[] {dim}, keepdim);
    }

    private static Tensor squeezeDims(Tensor t, int[] sortedDims) {
        Tensor r = t;
        for (int i = sortedDims.length - 1; i >= 0; i--) r = r.squeeze(sortedDims[i]);
        return r;
    }

    private int count(int[] dims) {
        int n = 1;
        for (int d : dims) n *= shape[d];
        return n;
    }

    public Tensor argmax(int dim, boolean keepdim) {
        return backend().argReduce(true, this, Shape.normalizeDim(dim, dim()), keepdim);
    }

    public Tensor argmin(int dim, boolean keepdim) {
        return backend().argReduce(false, this, Shape.normalizeDim(dim, dim()), keepdim);
    }

    public Tensor softmax(int dim) {
        return backend().softmax(this, Shape.normalizeDim(dim, dim()), false);
    }

    public Tensor logSoftmax(int dim) {
        return backend().softmax(this, Shape.normalizeDim(dim, dim()), true);
    }

    public Tensor layerNorm(Tensor weight, Tensor bias, double eps) {
        return Backends.of(this, weight, bias).layerNorm(this, weight, bias, eps);
    }

    public Tensor rmsNorm(Tensor weight, double eps) {
        return Backends.of(this, weight).rmsNorm(this, weight, eps);
    }

    /** The gradient of {@code softmax(dim)} (or {@code logSoftmax}) given its output {@code y}: see {@link Backend#softmaxBackward}. */
    public static Tensor softmaxBackward(Tensor grad, Tensor y, int dim, boolean log) {
        return Backends.of(y, grad).softmaxBackward(grad, y, Shape.normalizeDim(dim, y.dim()), log);
    }

    /** {dx, dweight, dbias} of {@code x.layerNorm(weight, bias, eps)}: see {@link Backend#normBackward}. */
    public static Tensor[] layerNormBackward(Tensor grad, Tensor x, Tensor weight, double eps, boolean weightGrad,
                                             boolean biasGrad) {
        return Backends.of(x, grad, weight).normBackward(grad, x, weight, eps, false, weightGrad, biasGrad);
    }

    /** {dx, dweight} of {@code x.rmsNorm(weight, eps)}: see {@link Backend#normBackward}. */
    public static Tensor[] rmsNormBackward(Tensor grad, Tensor x, Tensor weight, double eps, boolean weightGrad) {
        return Arrays.copyOf(Backends.of(x, grad, weight).normBackward(grad, x, weight, eps, true, weightGrad, false), 2);
    }

    /** Rotary position embedding of the last dim; see {@link Backend#rope}. */
    public Tensor rope(Tensor cos, Tensor sin, boolean interleaved) {
        return Backends.of(this, cos, sin).rope(this, cos, sin, interleaved);
    }

    public Tensor cumsum(int dim) {
        return backend().cumsum(this, Shape.normalizeDim(dim, dim()));
    }

    // ------------------------------------------------------------------ linear algebra

    public Tensor matmul(Tensor other) {
        return Backends.of(this, other).matmul(this, other);
    }

    /**
     * Scaled dot-product attention with this tensor as the queries: {@code softmax(this·k^T·scale + bias)·v}, grouped
     * key/value heads allowed; see {@link Backend#attention}.
     */
    public Tensor attention(Tensor k, Tensor v, Tensor bias, double scale) {
        return Backends.of(this, k, v, bias).attention(this, k, v, bias, scale);
    }

    /**
     * Gradients {dq, dk, dv, dbias} of {@code q.attention(k, v, bias, scale)} given its output and the output's
     * gradient, each where {@code needed} asks (see {@link Backend#attentionBackward}).
     */
    public static Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out,
                                             Tensor gradOut, boolean[] needed) {
        return Backends.of(q, k, v, bias, gradOut).attentionBackward(q, k, v, bias, scale, out, gradOut, needed);
    }

    /**
     * The gradients of attention as the composition that defines them: the probabilities p are recomputed
     * ({@link #attentionProbabilities}) and, with the g query heads of a key/value head stacked as rows,
     * <pre>
     *   dV = p^T·dO          dP = dO·V^T          dS = p ⊙ (dP - rowsum(dP ⊙ p))
     *   dQ = dS·K·scale      dK = dS^T·(Q·scale)    dBias = dS
     * </pre>
     * Returns {dq, dk, dv, dbias}, null where {@code needed} is false.
     */
    public static Tensor[] attentionBackwardComposed(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor g,
                                                     boolean[] needed) {
        int b = q.size(0), h = q.size(1), tq = q.size(2), d = q.size(3);
        int hkv = k.size(1), tk = k.size(2), dv = v.size(3), group = h / hkv;
        Tensor p = q.attentionProbabilities(k, bias, scale);
        Tensor pg = group == 1 ? p : p.view(b, hkv, group * tq, tk);
        Tensor gg = group == 1 ? g : g.reshape(b, hkv, group * tq, dv);
        Tensor dP = gg.matmul(v.mT());
        if (group != 1) dP = dP.view(b, h, tq, tk);
        Tensor dS = softmaxBackward(dP, p, -1, false);
        Tensor dSg = group == 1 ? dS : dS.view(b, hkv, group * tq, tk);
        Tensor[] grads = new Tensor[needed.length];
        if (needed[0]) {
            Tensor dQ = dSg.matmul(k);
            if (scale != 1) dQ = dQ.mul(scale);
            grads[0] = group == 1 ? dQ : dQ.view(b, h, tq, d);
        }
        if (needed[1]) {
            Tensor qs = scale != 1 ? q.mul(scale) : q;
            grads[1] = dSg.mT().matmul(group == 1 ? qs : qs.reshape(b, hkv, group * tq, d));
        }
        if (needed[2]) grads[2] = pg.mT().matmul(gg);
        if (needed.length > 3 && needed[3]) grads[3] = dS;
        return grads;
    }

    /**
     * The attention probabilities {@code softmax((this·scale)·k^T + bias)} [B, H, Tq, Tk] of {@link #attention}, as
     * the composition of primitives that defines it (the scale multiplies q: Tq×d values, not Tq×Tk); query head h
     * reads key head h / (H / Hkv). The backward pass recomputes them instead of keeping them.
     */
    public Tensor attentionProbabilities(Tensor k, Tensor bias, double scale) {
        int b = size(0), h = size(1), tq = size(2), d = size(3), hkv = k.size(1), tk = k.size(2), group = h / hkv;
        Tensor qs = scale != 1 ? mul(scale) : this;
        Tensor qg = group == 1 ? qs : qs.reshape(b, hkv, group * tq, d);
        Tensor scores = qg.matmul(k.mT());
        if (group != 1) scores = scores.view(b, h, tq, tk);
        if (bias != null) scores = scores.add(bias);
        return scores.softmax(-1);
    }

    /**
     * Grouped matrix product (pyg-lib's {@code segment_matmul}): rows {@code offsets[g]} to {@code offsets[g+1]} of
     * this {@code [S, k]} matrix times {@code w[g]} of {@code w [G, k, n]}; result {@code [S, n]}. It is the
     * per-relation transform of an RGCN layer: one matmul per group on that group's rows, no padding, no gather of
     * weights. {@code offsets} has G+1 non-decreasing entries from 0 to S.
     */
    public Tensor segmentMatmul(int[] offsets, Tensor w) {
        checkSegments(offsets, w);
        return Backends.of(this, w).segmentMatmul(this, offsets.clone(), w);
    }

    /**
     * {@code out[g] = this_g^T · y_g} for row groups {@code offsets[g] .. offsets[g+1]} of this [S, k] and y [S, n]:
     * [G, k, n], the weight gradient of {@link #segmentMatmul} (G = offsets.length - 1).
     */
    public Tensor segmentTransposeMatmul(int[] offsets, Tensor y) {
        if (dim() != 2 || y.dim() != 2 || y.size(0) != shape[0]) {
            throw new IllegalArgumentException("segment_transpose_matmul needs [S, k] and [S, n] matrices, got "
                    + Arrays.toString(shape) + " and " + Arrays.toString(y.shape));
        }
        checkOffsets(offsets, offsets.length - 1);
        return Backends.of(this, y).segmentTransposeMatmul(this, offsets.clone(), y);
    }

    private void checkSegments(int[] offsets, Tensor w) {
        if (dim() != 2 || w.dim() != 3) {
            throw new IllegalArgumentException("segment_matmul needs a [S, k] matrix and [G, k, n] weights, got "
                    + Arrays.toString(shape) + " and " + Arrays.toString(w.shape));
        }
        if (w.size(1) != shape[1]) {
            throw new IllegalArgumentException("segment_matmul: rows of length " + shape[1] + " do not match weights "
                    + Arrays.toString(w.shape));
        }
        checkOffsets(offsets, w.size(0));
    }

    private void checkOffsets(int[] offsets, int groups) {
        if (groups < 0 || offsets.length != groups + 1 || offsets[0] != 0 || offsets[offsets.length - 1] != shape[0]) {
            throw new IllegalArgumentException("segment_matmul: " + groups + " groups need " + (groups + 1)
                    + " offsets from 0 to " + shape[0] + ", got " + Arrays.toString(offsets));
        }
        for (int g = 0; g < groups; g++) {
            if (offsets[g + 1] < offsets[g]) {
                throw new IllegalArgumentException("segment_matmul: offsets decrease at group " + g + ": " + Arrays.toString(offsets));
            }
        }
    }

    // ------------------------------------------------------------------ indexing

    public Tensor gather(int dim, Tensor index) {
        return Backends.of(this, index).gather(this, Shape.normalizeDim(dim, dim()), index);
    }

    public Tensor indexSelect(int dim, Tensor index) {
        return Backends.of(this, index).indexSelect(this, Shape.normalizeDim(dim, dim()), index);
    }

    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Backends.of(this, index, src).scatterAdd(this, Shape.normalizeDim(dim, dim()), index, src);
    }

    public Tensor indexAdd(int dim, Tensor index, Tensor src) {
        return Backends.of(this, index, src).indexAdd(this, Shape.normalizeDim(dim, dim()), index, src);
    }

    /** Rows of this [vocab, dim] table for integer ids of any shape: result [...ids, dim] (an embedding lookup). */
    public Tensor embedding(Tensor ids) {
        if (dim() != 2) throw new IllegalArgumentException("embedding table must be 2-d, got " + Arrays.toString(shape));
        int[] out = Arrays.copyOf(ids.shape, ids.dim() + 1);
        out[ids.dim()] = shape[1];
        return indexSelect(0, ids.reshape(-1)).view(out);
    }

    /** One-hot encoding of integer classes: [...] -> [..., numClasses], dtype I64 like torch. */
    public Tensor oneHot(int numClasses) {
        Tensor classes = arange(0, numClasses, 1, DType.I64);
        if (!device().equals(Device.CPU)) classes = classes.toDevice(device());
        return unsqueeze(-1).eq(classes).to(DType.I64);
    }

    /** {values, indices}: the k largest (or smallest) along dim, sorted, ties in index order. */
    public Tensor[] topk(int k, int dim, boolean largest) {
        int d = Shape.normalizeDim(dim, dim());
        if (k < 0 || k > shape[d]) throw new IllegalArgumentException("topk k=" + k + " out of range for size " + shape[d]);
        return backend().sort(this, d, largest, k);
    }

    /** {values, indices}: stable sort along dim. */
    public Tensor[] sort(int dim, boolean descending) {
        int d = Shape.normalizeDim(dim, dim());
        return backend().sort(this, d, descending, shape[d]);
    }

    public Tensor argsort(int dim, boolean descending) {
        return sort(dim, descending)[1];
    }

    /** Bernoulli draws (0/1 in this tensor's compute dtype) with probabilities given by this tensor. */
    public Tensor bernoulli(Generator rng) {
        Tensor u = backend().random(Generator.Distribution.UNIFORM, rng, 0, 1, DType.F64, shape);
        return u.lt(this).to(dtype().computeType());
    }

    // ------------------------------------------------------------------ devices and host access

    public Tensor toDevice(Device target) {
        if (target.equals(device())) return this;
        return Backends.transfer(this, target);
    }

    /** The elements as a new float[] in row-major order. */
    public float[] toFloatArray() {
        Tensor c = toDevice(Device.CPU).to(DType.F32, true);
        return ((CpuStorage) c.storage).floats();
    }

    public double[] toDoubleArray() {
        Tensor c = toDevice(Device.CPU).to(DType.F64, true);
        return ((CpuStorage) c.storage).doubles();
    }

    public long[] toLongArray() {
        Tensor c = toDevice(Device.CPU).to(DType.I64, true);
        return ((CpuStorage) c.storage).longs();
    }

    public int[] toIntArray() {
        Tensor c = toDevice(Device.CPU).to(DType.I32, true);
        return ((CpuStorage) c.storage).ints();
    }

    /** The single element of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item() needs exactly one element, shape is " + Arrays.toString(shape));
        return toDoubleArray()[0];
    }

    /** One element by index (for tests and small reads, not for loops). */
    public double get(int... index) {
        return toDevice(Device.CPU).getLocal(index);
    }

    private double getLocal(int[] index) {
        if (index.length != dim()) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " does not match rank " + dim());
        }
        long pos = offset;
        for (int i = 0; i < index.length; i++) {
            int ix = index[i] < 0 ? index[i] + shape[i] : index[i];
            if (ix < 0 || ix >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of range for shape " + Arrays.toString(shape));
            }
            pos += (long) ix * strides[i];
        }
        return ((CpuStorage) storage).getDouble(pos);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("tensor(");
        if (numel() <= 64) {
            Tensor c = toDevice(Device.CPU);
            c.format(sb, 0, new int[dim()]);
        } else {
            sb.append("...");
        }
        return sb.append(", shape=").append(Arrays.toString(shape)).append(", dtype=").append(dtype())
                .append(device().equals(Device.CPU) ? "" : ", device=" + device()).append(')').toString();
    }

    private void format(StringBuilder sb, int d, int[] idx) {
        if (d == dim()) {
            double v = getLocal(idx);
            sb.append(dtype().isFloating() ? String.format("%.4g", v) : String.valueOf((long) v));
            return;
        }
        sb.append('[');
        for (int i = 0; i < shape[d]; i++) {
            if (i > 0) sb.append(", ");
            idx[d] = i;
            format(sb, d + 1, idx);
        }
        sb.append(']');
    }
}

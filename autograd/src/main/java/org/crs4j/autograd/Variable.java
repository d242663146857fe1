package org.crs4j.autograd;

import java.util.Arrays;
import java.util.List;
import org.crs4j.tensor.BinaryOp;
import org.crs4j.tensor.CsrMatrix;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Shape;
import org.crs4j.tensor.Tensor;

/**
 * A tensor that remembers how it was computed, so that {@link #backward()} can send gradients to the leaves.
 *
 * <p>Every differentiable op of the engine appears here once, as forward (a {@link Tensor} op) plus its backward
 * formula, in the style of micrograd's {@code Value}. Ops are recorded only when grad mode is on and some input
 * requires a gradient; otherwise they cost one wrapper object. Gradients of broadcast inputs are summed back by
 * {@link Backprop}, so formulas below are written as if nothing were broadcast.
 */
public final class Variable {
    private final Tensor data;
    private final boolean requiresGrad;
    private final Node node; // null for leaves and for results computed without recording
    private Tensor grad;
    private boolean retainGrad;

    private Variable(Tensor data, boolean requiresGrad, Node node) {
        this.data = data;
        this.requiresGrad = requiresGrad;
        this.node = node;
    }

    /** A leaf that gradients flow into (a parameter). Its data must be floating point. */
    public static Variable parameter(Tensor data) {
        if (!data.dtype().isFloating()) {
            throw new IllegalArgumentException("only floating-point tensors can require gradients, got " + data.dtype());
        }
        return new Variable(data, true, null);
    }

    /** A leaf without gradient (inputs, targets, frozen weights, masks). */
    public static Variable constant(Tensor data) {
        return new Variable(data, false, null);
    }

    public static Variable constant(double value) {
        return constant(Tensor.scalar((float) value));
    }

    // ------------------------------------------------------------------ state

    public Tensor data() {
        return data;
    }

    /** The accumulated gradient (null before backward, for non-leaves unless {@link #retainGrad()}). */
    public Tensor grad() {
        return grad;
    }

    public void zeroGrad() {
        grad = null;
    }

    /** Replaces the gradient (used by gradient clipping and accumulation). */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape(), data.shape())) {
            throw new IllegalArgumentException("gradient shape " + Arrays.toString(g.shape()) + " does not match "
                    + Arrays.toString(data.shape()));
        }
        grad = g;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    public boolean isLeaf() {
        return node == null;
    }

    /** Keep this non-leaf's gradient after backward (for inspection and tests). */
    public Variable retainGrad() {
        retainGrad = true;
        return this;
    }

    boolean retainsGrad() {
        return retainGrad;
    }

    Node node() {
        return node;
    }

    /** The name of the op that produced this variable, or "leaf". */
    public String op() {
        return node == null ? "leaf" : node.op;
    }

    void accumulate(Tensor g) {
        grad = grad == null ? g.copy() : grad.add(g);
    }

    /** As {@link #accumulate}, for a gradient tensor nothing else references (a sum made by backprop). */
    void accumulateOwned(Tensor g) {
        grad = grad == null ? g : grad.add(g);
    }

    public int[] shape() {
        return data.shape();
    }

    public int size(int dim) {
        return data.size(dim);
    }

    public int dim() {
        return data.dim();
    }

    public DType dtype() {
        return data.dtype();
    }

    public double item() {
        return data.item();
    }

    /** The same data, cut from the graph. */
    public Variable detach() {
        return new Variable(data, false, null);
    }

    /** Backpropagates from this scalar (seed 1). */
    public void backward() {
        if (data.numel() != 1) {
            throw new IllegalStateException("backward() needs a scalar; this has shape " + Arrays.toString(data.shape())
                    + " (pass the output gradient explicitly)");
        }
        backward(Tensor.full(1, data.dtype().computeType(), data.shape()));
    }

    /** Backpropagates {@code gradOutput} (same shape as this) through the recorded graph. */
    public void backward(Tensor gradOutput) {
        if (!requiresGrad) throw new IllegalStateException("this variable does not require grad: nothing to backpropagate");
        if (!Arrays.equals(gradOutput.shape(), data.shape())) {
            throw new IllegalArgumentException("output gradient shape " + Arrays.toString(gradOutput.shape())
                    + " does not match " + Arrays.toString(data.shape()));
        }
        Backprop.run(this, gradOutput);
    }

    @Override
    public String toString() {
        return "Variable(" + data + (requiresGrad ? ", op=" + op() : "") + ")";
    }

    // ------------------------------------------------------------------ recording

    private static Variable record(String op, Tensor out, Node.Backward backward, Variable... inputs) {
        boolean needed = false;
        for (Variable v : inputs) needed |= v.requiresGrad;
        if (!needed || !GradMode.enabled()) return new Variable(out, false, null);
        return new Variable(out, true, new Node(op, inputs, backward));
    }

    /** Zeros of t's shape where t lives: a gradient made on the CPU for a GPU tensor would be uploaded every step. */
    private static Tensor zerosLike(Tensor t) {
        return t.backend().zeros(t.dtype().computeType(), t.shape());
    }

    // ------------------------------------------------------------------ element-wise

    public Variable add(Variable o) {
        return record("add", data.add(o.data), (g, n) -> new Tensor[] {g, g}, this, o);
    }

    public Variable sub(Variable o) {
        return record("sub", data.sub(o.data), (g, n) -> new Tensor[] {g, n[1] ? g.neg() : null}, this, o);
    }

    public Variable mul(Variable o) {
        Tensor a = data, b = o.data;
        return record("mul", a.mul(b), (g, n) -> new Tensor[] {n[0] ? g.mul(b) : null, n[1] ? g.mul(a) : null}, this, o);
    }

    public Variable div(Variable o) {
        Tensor a = data, b = o.data, y = a.div(b);
        return record("div", y, (g, n) -> new Tensor[] {n[0] ? g.div(b) : null, n[1] ? g.mul(y).div(b).neg() : null}, this, o);
    }

    /** Element-wise maximum; where equal, the gradient is split in half (as torch.maximum). */
    public Variable maximum(Variable o) {
        return extremum(o, true);
    }

    public Variable minimum(Variable o) {
        return extremum(o, false);
    }

    private Variable extremum(Variable o, boolean max) {
        Tensor a = data, b = o.data;
        Tensor y = max ? a.maximum(b) : a.minimum(b);
        return record(max ? "maximum" : "minimum", y, (g, n) -> {
            Tensor aWins = (max ? a.gt(b) : a.lt(b)).to(g.dtype()), tie = a.eq(b).to(g.dtype()).mul(0.5);
            Tensor wa = aWins.add(tie), wb = wa.neg().add(1);
            return new Tensor[] {n[0] ? g.mul(wa) : null, n[1] ? g.mul(wb) : null};
        }, this, o);
    }

    /** a^b; d/db uses log(a), taken as 0 where a == 0 (as torch). */
    public Variable pow(Variable o) {
        Tensor a = data, b = o.data, y = a.pow(b);
        return record("pow", y, (g, n) -> new Tensor[] {
                n[0] ? g.mul(b).mul(a.pow(b.sub(1))) : null,
                n[1] ? g.mul(y).mul(Tensor.where(a.eq(0), Tensor.scalar(0f), a.log())) : null}, this, o);
    }

    public Variable add(double c) { return add(scalarLike(c)); }
    public Variable sub(double c) { return sub(scalarLike(c)); }
    public Variable mul(double c) { return mul(scalarLike(c)); }
    public Variable div(double c) { return div(scalarLike(c)); }

    /** A constant scalar in this variable's precision: F64 next to F64 data (F32 would round c), else F32. */
    private Variable scalarLike(double c) {
        return constant(Tensor.scalar(c, data.dtype() == DType.F64 ? DType.F64 : DType.F32));
    }

    /** x^c for a constant exponent. */
    public Variable pow(double c) {
        Tensor x = data;
        return record("pow", x.pow(c), (g, n) -> new Tensor[] {g.mul(c).mul(x.pow(c - 1))}, this);
    }

    public Variable neg() {
        return record("neg", data.neg(), (g, n) -> new Tensor[] {g.neg()}, this);
    }

    public Variable abs() {
        Tensor x = data;
        return record("abs", x.abs(), (g, n) -> new Tensor[] {g.mul(x.sign())}, this);
    }

    public Variable exp() {
        Tensor y = data.exp();
        return record("exp", y, (g, n) -> new Tensor[] {g.mul(y)}, this);
    }

    public Variable log() {
        Tensor x = data;
        return record("log", x.log(), (g, n) -> new Tensor[] {g.div(x)}, this);
    }

    public Variable sqrt() {
        Tensor y = data.sqrt();
        return record("sqrt", y, (g, n) -> new Tensor[] {g.div(y.mul(2))}, this);
    }

    public Variable rsqrt() {
        Tensor y = data.rsqrt();
        return record("rsqrt", y, (g, n) -> new Tensor[] {g.mul(y.pow(3)).mul(-0.5)}, this);
    }

    public Variable reciprocal() {
        Tensor y = data.reciprocal();
        return record("reciprocal", y, (g, n) -> new Tensor[] {g.mul(y.square()).neg()}, this);
    }

    public Variable square() {
        Tensor x = data;
        return record("square", x.square(), (g, n) -> new Tensor[] {g.mul(x).mul(2)}, this);
    }

    public Variable tanh() {
        Tensor y = data.tanh();
        return record("tanh", y, (g, n) -> new Tensor[] {g.apply(BinaryOp.TANH_BACKWARD, y)}, this);
    }

    public Variable sigmoid() {
        Tensor y = data.sigmoid();
        return record("sigmoid", y, (g, n) -> new Tensor[] {g.apply(BinaryOp.SIGMOID_BACKWARD, y)}, this);
    }

    public Variable relu() {
        Tensor x = data;
        return record("relu", x.relu(), (g, n) -> new Tensor[] {g.apply(BinaryOp.RELU_BACKWARD, x)}, this);
    }

    /** GELU (exact): d/dx = Phi(x) + x phi(x). */
    public Variable gelu() {
        Tensor x = data;
        return record("gelu", x.gelu(), (g, n) -> new Tensor[] {g.apply(BinaryOp.GELU_BACKWARD, x)}, this);
    }

    /** GELU, tanh approximation: y = x/2 (1 + tanh(u)), u = c (x + 0.044715 x^3). */
    public Variable geluTanh() {
        Tensor x = data;
        return record("gelu_tanh", x.geluTanh(), (g, n) -> new Tensor[] {g.apply(BinaryOp.GELU_TANH_BACKWARD, x)}, this);
    }

    /** SiLU x sigmoid(x): d/dx = s (1 + x (1 - s)). */
    public Variable silu() {
        Tensor x = data;
        return record("silu", x.silu(), (g, n) -> new Tensor[] {g.apply(BinaryOp.SILU_BACKWARD, x)}, this);
    }

    public Variable sin() {
        Tensor x = data;
        return record("sin", x.sin(), (g, n) -> new Tensor[] {g.mul(x.cos())}, this);
    }

    public Variable cos() {
        Tensor x = data;
        return record("cos", x.cos(), (g, n) -> new Tensor[] {g.mul(x.sin()).neg()}, this);
    }

    public Variable erf() {
        Tensor x = data;
        return record("erf", x.erf(), (g, n) -> new Tensor[] {g.mul(x.square().neg().exp().mul(2 / Math.sqrt(Math.PI)))}, this);
    }

    public Variable clamp(double min, double max) {
        Tensor x = data;
        return record("clamp", x.clamp(min, max), (g, n) -> new Tensor[] {g.mul(x.ge(min).and(x.le(max)).to(g.dtype()))}, this);
    }

    /** {@code cond ? a : b} (cond is a constant mask). */
    public static Variable where(Tensor cond, Variable a, Variable b) {
        return record("where", Tensor.where(cond, a.data, b.data), (g, n) -> {
            Tensor zero = Tensor.scalar(0, g.dtype());
            return new Tensor[] {n[0] ? Tensor.where(cond, g, zero) : null, n[1] ? Tensor.where(cond, zero, g) : null};
        }, a, b);
    }

    /** {@code mask ? value : this}. */
    public Variable maskedFill(Tensor mask, double value) {
        return where(mask, constant(Tensor.scalar(value, dtype() == DType.F64 ? DType.F64 : DType.F32)), this);
    }

    /** This variable's values in another dtype; the gradient comes back in the input's compute dtype. */
    public Variable to(DType dtype) {
        if (dtype == data.dtype()) return this;
        DType back = data.dtype().computeType();
        return record("to", data.to(dtype), (g, n) -> new Tensor[] {g.to(back)}, this);
    }

    // ------------------------------------------------------------------ reductions

    public Variable sum(int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims(dims, dim());
        int[] inShape = shape();
        return record("sum", data.sum(d, keepdim), (g, n) -> new Tensor[] {unreduce(g, d, keepdim).expand(inShape)}, this);
    }

    public Variable sum() {
        return sum(new int[0], false);
    }

    public Variable sum(int dim, boolean keepdim) {
        return sum(new int[] {dim}, keepdim);
    }

    public Variable mean(int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims(dims, dim());
        int count = 1;
        for (int k : d) count *= data.size(k);
        return sum(d, keepdim).div(count);
    }

    public Variable mean() {
        return mean(new int[0], false);
    }

    public Variable mean(int dim, boolean keepdim) {
        return mean(new int[] {dim}, keepdim);
    }

    /** Max over dims; the gradient is shared evenly by tied maxima (torch.amax). */
    public Variable max(int[] dims, boolean keepdim) {
        return extremum(dims, keepdim, true);
    }

    public Variable max(int dim, boolean keepdim) {
        return max(new int[] {dim}, keepdim);
    }

    public Variable min(int[] dims, boolean keepdim) {
        return extremum(dims, keepdim, false);
    }

    private Variable extremum(int[] dims, boolean keepdim, boolean max) {
        int[] d = Shape.normalizeDims(dims, dim());
        Tensor x = data;
        Tensor y = max ? x.max(d, keepdim) : x.min(d, keepdim);
        return record(max ? "max" : "min", y, (g, n) -> {
            Tensor mask = x.eq(unreduce(y, d, keepdim)).to(g.dtype());
            Tensor count = mask.sum(d, true);
            return new Tensor[] {mask.mul(unreduce(g, d, keepdim)).div(count)};
        }, this);
    }

    /** Unbiased (correction 1) or biased (0) variance, composed so that its gradient comes for free. */
    public Variable var(int[] dims, int correction, boolean keepdim) {
        int[] d = Shape.normalizeDims(dims, dim());
        int count = 1;
        for (int k : d) count *= data.size(k);
        Variable centered = sub(mean(d, true));
        return centered.square().sum(d, keepdim).div(Math.max(0, count - correction));
    }

    /** log sum exp over dims; d/dx = softmax over those dims. */
    public Variable logsumexp(int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims(dims, dim());
        Tensor x = data;
        Tensor y = x.logsumexp(d, keepdim);
        return record("logsumexp", y, (g, n) -> new Tensor[] {unreduce(g, d, keepdim).mul(x.sub(unreduce(y, d, keepdim)).exp())}, this);
    }

    public Variable logsumexp(int dim, boolean keepdim) {
        return logsumexp(new int[] {dim}, keepdim);
    }

    /** Puts back the reduced dims (as size 1) of a reduction result computed without keepdim. */
    private static Tensor unreduce(Tensor t, int[] sortedDims, boolean keepdim) {
        if (keepdim) return t;
        Tensor r = t;
        for (int d : sortedDims) r = r.unsqueeze(d);
        return r;
    }

    // ------------------------------------------------------------------ softmax and normalisation

    public Variable softmax(int dim) {
        int d = Shape.normalizeDim(dim, dim());
        Tensor y = data.softmax(d);
        return record("softmax", y, (g, n) -> new Tensor[] {Tensor.softmaxBackward(g, y, d, false)}, this);
    }

    public Variable logSoftmax(int dim) {
        int d = Shape.normalizeDim(dim, dim());
        Tensor y = data.logSoftmax(d);
        return record("log_softmax", y, (g, n) -> new Tensor[] {Tensor.softmaxBackward(g, y, d, true)}, this);
    }

    /** Layer norm over the last dim; weight and bias may be null. */
    public Variable layerNorm(Variable weight, Variable bias, double eps) {
        Tensor x = data, w = weight == null ? null : weight.data, b = bias == null ? null : bias.data;
        Tensor y = x.layerNorm(w, b, eps);
        int iw = weight == null ? -1 : 1, ib = bias == null ? -1 : iw < 0 ? 1 : 2;
        Node.Backward bw = (g, n) -> {
            Tensor[] d = Tensor.layerNormBackward(g, x, w, eps, iw >= 0 && n[iw], ib >= 0 && n[ib]);
            Tensor[] grads = new Tensor[n.length];
            grads[0] = d[0];
            if (iw >= 0) grads[iw] = d[1];
            if (ib >= 0) grads[ib] = d[2];
            return grads;
        };
        return record("layer_norm", y, bw, inputs(this, weight, bias));
    }

    /** RMS norm over the last dim (T5/LLaMA: no mean, no bias); weight may be null. */
    public Variable rmsNorm(Variable weight, double eps) {
        Tensor x = data, w = weight == null ? null : weight.data;
        Tensor y = x.rmsNorm(w, eps);
        Node.Backward bw = (g, n) -> Tensor.rmsNormBackward(g, x, w, eps, n.length > 1 && n[1]);
        return record("rms_norm", y, bw, inputs(this, weight));
    }

    /** The non-null variables, in order (optional weights and biases). */
    private static Variable[] inputs(Variable... vs) {
        return Arrays.stream(vs).filter(v -> v != null).toArray(Variable[]::new);
    }

    /**
     * Rotary position embedding of the last dim (angles are constants); see {@link Tensor#rope}. A rotation's
     * transpose is the rotation by the opposite angle, so the backward pass is the same op with -sin.
     */
    public Variable rope(Tensor cos, Tensor sin, boolean interleaved) {
        return record("rope", data.rope(cos, sin, interleaved), (g, n) -> new Tensor[] {g.rope(cos, sin.neg(), interleaved)}, this);
    }

    // ------------------------------------------------------------------ matmul

    /** torch.matmul; 1-d operands are promoted and the added dim removed, so backward only sees matrices. */
    public Variable matmul(Variable o) {
        if (dim() == 1) return unsqueeze(0).matmul(o).squeeze(-2);
        if (o.dim() == 1) return matmul(o.unsqueeze(1)).squeeze(-1);
        Tensor a = data, b = o.data;
        return record("matmul", a.matmul(b), (g, n) -> {
            // Each gradient comes out in its operand's layout: for a transposed operand (x @ W^T of a Linear layer,
            // h @ h^T of scores) the transposed product is computed, so that the view's backward hands a contiguous
            // gradient to W or h instead of a transposed one that every later add and update reads with strides.
            Tensor ga = null, gb = null;
            if (n[0]) ga = columnMajor(a) ? b.matmul(g.mT()).mT() : g.matmul(b.mT());
            if (n[1]) {
                if (b.dim() == 2 && a.dim() > 2) {
                    // the Linear case: fold the batch into rows instead of summing per-batch products
                    Tensor a2 = a.reshape(-1, a.size(-1)), g2 = g.reshape(-1, g.size(-1));
                    gb = columnMajor(b) ? g2.mT().matmul(a2).mT() : a2.mT().matmul(g2);
                } else {
                    gb = columnMajor(b) ? g.mT().matmul(a).mT() : a.mT().matmul(g);
                }
            }
            return new Tensor[] {ga, gb};
        }, this, o);
    }

    /** True when the last two dims of t are a transposed (column-major) matrix: a view such as {@code w.mT()}. */
    private static boolean columnMajor(Tensor t) {
        return t.dim() >= 2 && t.size(-2) > 1 && t.size(-1) > 1 && t.stride(-2) == 1 && t.stride(-1) != 1;
    }

    /**
     * Scaled dot-product attention {@code softmax(q·k^T·scale + bias)·v} with grouped key/value heads (see
     * {@link Tensor#attention}); bias may be null. Backward is the backend's ({@link Tensor#attentionBackward}): nothing
     * of size [Tq, Tk] is kept from the forward pass; dBias comes as [B, H, Tq, Tk] and is summed to the bias's shape.
     */
    public static Variable attention(Variable q, Variable k, Variable v, Variable bias, double scale) {
        Tensor qt = q.data, kt = k.data, vt = v.data, bt = bias == null ? null : bias.data;
        Tensor out = qt.attention(kt, vt, bt, scale);
        Node.Backward bw = (g, n) -> Tensor.attentionBackward(qt, kt, vt, bt, scale, out, g, n);
        return record("attention", out, bw, bias == null ? new Variable[] {q, k, v} : new Variable[] {q, k, v, bias});
    }

    /**
     * Grouped matrix product (see {@link Tensor#segmentMatmul}): rows offsets[g]..offsets[g+1] of this [S, k] times
     * w[g] of w [G, k, n]. Backward: the same grouping with w transposed for this input, and x_g^T g_g per group
     * for the weights.
     */
    public Variable segmentMatmul(int[] offsets, Variable w) {
        Tensor x = data, wt = w.data;
        int[] segments = offsets.clone();
        return record("segment_matmul", x.segmentMatmul(segments, wt), (g, n) -> {
            Tensor gx = n[0] ? g.segmentMatmul(segments, wt.transpose(1, 2)) : null;
            Tensor gw = n[1] ? x.segmentTransposeMatmul(segments, g) : null;
            return new Tensor[] {gx, gw};
        }, this, w);
    }

    // ------------------------------------------------------------------ views

    public Variable reshape(int... shape) {
        int[] in = shape();
        return record("reshape", data.reshape(shape), (g, n) -> new Tensor[] {g.reshape(in)}, this);
    }

    public Variable view(int... shape) {
        int[] in = shape();
        return record("view", data.view(shape), (g, n) -> new Tensor[] {g.reshape(in)}, this);
    }

    public Variable flatten(int start, int end) {
        int[] in = shape();
        return record("flatten", data.flatten(start, end), (g, n) -> new Tensor[] {g.reshape(in)}, this);
    }

    public Variable permute(int... order) {
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) inverse[Shape.normalizeDim(order[i], dim())] = i;
        return record("permute", data.permute(order), (g, n) -> new Tensor[] {g.permute(inverse)}, this);
    }

    public Variable transpose(int d0, int d1) {
        return record("transpose", data.transpose(d0, d1), (g, n) -> new Tensor[] {g.transpose(d0, d1)}, this);
    }

    public Variable mT() {
        return transpose(-2, -1);
    }

    public Variable narrow(int dim, int start, int length) {
        Tensor x = data;
        return record("narrow", x.narrow(dim, start, length), (g, n) -> {
            Tensor z = zerosLike(x);
            z.narrow(dim, start, length).copyFrom(g);
            return new Tensor[] {z};
        }, this);
    }

    public Variable slice(int dim, int start, int end, int step) {
        Tensor x = data;
        return record("slice", x.slice(dim, start, end, step), (g, n) -> {
            Tensor z = zerosLike(x);
            z.slice(dim, start, end, step).copyFrom(g);
            return new Tensor[] {z};
        }, this);
    }

    public Variable select(int dim, int index) {
        Tensor x = data;
        return record("select", x.select(dim, index), (g, n) -> {
            Tensor z = zerosLike(x);
            z.select(dim, index).copyFrom(g);
            return new Tensor[] {z};
        }, this);
    }

    /** Broadcast view; Backprop sums the gradient back to this shape. */
    public Variable expand(int... shape) {
        return record("expand", data.expand(shape), (g, n) -> new Tensor[] {g}, this);
    }

    public Variable unsqueeze(int dim) {
        int[] in = shape();
        return record("unsqueeze", data.unsqueeze(dim), (g, n) -> new Tensor[] {g.reshape(in)}, this);
    }

    public Variable squeeze(int dim) {
        int[] in = shape();
        return record("squeeze", data.squeeze(dim), (g, n) -> new Tensor[] {g.reshape(in)}, this);
    }

    public Variable contiguous() {
        if (data.isContiguous()) return this;
        return record("contiguous", data.contiguous(), (g, n) -> new Tensor[] {g}, this);
    }

    public List<Variable> split(int size, int dim) {
        int d = Shape.normalizeDim(dim, dim());
        List<Variable> parts = new java.util.ArrayList<>();
        for (int s = 0; s < size(d); s += size) parts.add(narrow(d, s, Math.min(size, size(d) - s)));
        return parts;
    }

    public static Variable concat(List<Variable> parts, int dim) {
        Tensor[] ts = parts.stream().map(Variable::data).toArray(Tensor[]::new);
        int d = Shape.normalizeDim(dim, ts[0].dim());
        Tensor out = Tensor.concat(d, ts);
        return record("concat", out, (g, n) -> {
            Tensor[] grads = new Tensor[ts.length];
            int start = 0;
            for (int i = 0; i < ts.length; i++) {
                int len = ts[i].size(d);
                if (n[i]) grads[i] = g.narrow(d, start, len);
                start += len;
            }
            return grads;
        }, parts.toArray(Variable[]::new));
    }

    public static Variable stack(List<Variable> parts, int dim) {
        int d = Shape.normalizeDim(dim, parts.get(0).dim() + 1);
        return concat(parts.stream().map(v -> v.unsqueeze(d)).toList(), d);
    }

    // ------------------------------------------------------------------ indexing (embedding and graph aggregation)

    public Variable gather(int dim, Tensor index) {
        Tensor x = data;
        int d = Shape.normalizeDim(dim, dim());
        return record("gather", x.gather(d, index), (g, n) -> new Tensor[] {zerosLike(x).scatterAdd(d, index, g)}, this);
    }

    public Variable indexSelect(int dim, Tensor index) {
        Tensor x = data;
        int d = Shape.normalizeDim(dim, dim());
        return record("index_select", x.indexSelect(d, index), (g, n) -> new Tensor[] {zerosLike(x).indexAdd(d, index, g)}, this);
    }

    /** Rows of this [vocab, dim] table for ids of any shape. */
    public Variable embedding(Tensor ids) {
        int[] out = Arrays.copyOf(ids.shape(), ids.dim() + 1);
        out[ids.dim()] = size(1);
        return indexSelect(0, ids.reshape(-1)).view(out);
    }

    public Variable scatterAdd(int dim, Tensor index, Variable src) {
        int d = Shape.normalizeDim(dim, dim());
        int[] srcShape = src.shape();
        return record("scatter_add", data.scatterAdd(d, index, src.data), (g, n) -> {
            Tensor gs = null;
            if (n[1]) {
                Tensor picked = g.gather(d, index);
                gs = Arrays.equals(picked.shape(), srcShape) ? picked : padTo(picked, srcShape);
            }
            return new Tensor[] {g, gs};
        }, this, src);
    }

    public Variable indexAdd(int dim, Tensor index, Variable src) {
        int d = Shape.normalizeDim(dim, dim());
        return record("index_add", data.indexAdd(d, index, src.data),
                (g, n) -> new Tensor[] {g, n[1] ? g.indexSelect(d, index) : null}, this, src);
    }

    /**
     * {@code a · x} for a constant sparse matrix a (see {@link CsrMatrix}); the gradient {@code a^T · g} runs the
     * same kernel on the cached transpose. a's values are constants (no gradient flows into them).
     */
    public static Variable spmm(CsrMatrix a, Variable x) {
        return record("spmm", a.matmul(x.data), (g, n) -> new Tensor[] {a.transpose().matmul(g)}, x);
    }

    /** t in the leading corner of a zero tensor of {@code shape}. */
    private static Tensor padTo(Tensor t, int[] shape) {
        Tensor z = t.backend().zeros(t.dtype(), shape);
        Tensor view = z;
        for (int d = 0; d < shape.length; d++) view = view.narrow(d, 0, t.size(d));
        view.copyFrom(t);
        return z;
    }

    public Variable cumsum(int dim) {
        int d = Shape.normalizeDim(dim, dim());
        // reverse cumulative sum of g: total - cumsum(g) + g
        return record("cumsum", data.cumsum(d), (g, n) -> new Tensor[] {g.sum(d, true).sub(g.cumsum(d)).add(g)}, this);
    }
}

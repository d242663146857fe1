package org.crs4j.tensor;

/**
 * The primitive ops, declared once. Every backend (CPU now, CUDA next) implements exactly these; everything else in
 * {@link Tensor} (mean, var, logsumexp, masked fill, one-hot, triangular masks, concat, stack, split, embedding, ...)
 * is composed from them, and layers above never re-implement an op.
 *
 * <p>Contracts common to all methods: inputs are on this backend's device and may be arbitrary strided views
 * (broadcast, permuted, sliced); outputs are new contiguous tensors unless the method writes into a given tensor.
 * Float inputs of any storage dtype (BF16/F16 included) are computed in F32, or in F64 when an input is F64.
 */
public interface Backend {

    Device device();

    /** A new zero-filled contiguous tensor. */
    Tensor zeros(DType dtype, int... shape);

    /** Copies {@code src} into the view {@code dst} (same shape after broadcasting src), converting dtypes. */
    void copy(Tensor src, Tensor dst);

    /** start, start + step, ... below end (above end for a negative step). */
    Tensor arange(double start, double end, double step, DType dtype);

    Tensor unary(UnaryOp op, Tensor x);

    /** {@code a op b} with NumPy broadcasting; result dtype from {@link BinaryOp#resultType}. */
    Tensor binary(BinaryOp op, Tensor a, Tensor b);

    /** {@code cond ? a : b} element-wise, all three broadcast together. */
    Tensor where(Tensor cond, Tensor a, Tensor b);

    /** Reduces over {@code dims} (normalised, sorted, non-empty). Integer sums are I64. */
    Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim);

    /** Index (I64) of the first maximum (or minimum) along {@code dim}; NaN counts as the maximum, as in torch. */
    Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim);

    /** Numerically stable softmax, or log-softmax, along {@code dim}. */
    Tensor softmax(Tensor x, int dim, boolean log);

    /** Layer normalisation over the last dim: (x - mean) / sqrt(var + eps) * weight + bias; weight/bias may be null. */
    Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps);

    /** RMS normalisation over the last dim: x / sqrt(mean(x^2) + eps) * weight; weight may be null. */
    Tensor rmsNorm(Tensor x, Tensor weight, double eps);

    /**
     * The gradient of softmax (or log-softmax) along {@code dim}, from its output {@code y} and the output's gradient:
     * {@code y (g - sum(g y))}, or {@code g - exp(y) sum(g)} for log-softmax, sums along {@code dim}.
     */
    Tensor softmaxBackward(Tensor grad, Tensor y, int dim, boolean log);

    /**
     * Gradients of {@link #layerNorm} ({@code rms}: {@link #rmsNorm}) with respect to x, weight and bias, given the
     * output's gradient g: {dx, dweight, dbias}. With r = 1/sqrt(var + eps), x̂ = (x - mean) r (RMS: r =
     * 1/sqrt(mean(x²) + eps), x̂ = x r) and g' = g · weight: {@code dx = r (g' - mean(g') - x̂ mean(g' x̂))} (RMS
     * without the {@code mean(g')} term), {@code dweight = Σ_rows g x̂} (when {@code weightGrad} and weight is not
     * null, else null), {@code dbias = Σ_rows g} (when {@code biasGrad}, else null).
     */
    Tensor[] normBackward(Tensor grad, Tensor x, Tensor weight, double eps, boolean rms, boolean weightGrad,
                          boolean biasGrad);

    /**
     * Matrix product with batch broadcasting: a [..., m, k] times b [..., k, n]. 1-d operands follow torch.matmul
     * (a vector is promoted to a matrix and the added dim removed).
     */
    Tensor matmul(Tensor a, Tensor b);

    /**
     * Scaled dot-product attention {@code softmax(q·k^T·scale + bias)·v} (torch's scaled_dot_product_attention): q
     * [B, H, Tq, d], k [B, Hkv, Tk, d], v [B, Hkv, Tk, dv], H a multiple of Hkv (query head h uses key/value head
     * h / (H / Hkv), Hugging Face's repeat_kv), bias (masks, T5's relative position bias) broadcastable to
     * [B, H, Tq, Tk] or null; softmax in F32 (F64 when an input is F64). Returns [B, H, Tq, dv].
     */
    Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale);

    /**
     * Gradients of {@link #attention} given its output {@code out} and the output's gradient: {dq, dk, dv, dbias}, each
     * computed only where {@code needed} says (needed has 3 entries without a bias, 4 with one; dbias is [B, H, Tq, Tk],
     * for the caller to sum to the bias's shape). The CPU backend runs the composition that defines it
     * ({@link Tensor#attentionBackwardComposed}); the CUDA backend fused kernels.
     */
    Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out, Tensor gradOut,
                               boolean[] needed);

    /**
     * Grouped matrix product (pyg-lib's segment_matmul): rows {@code offsets[g] .. offsets[g+1]} of x [S, k] times
     * {@code w[g]} of w [G, k, n], giving [S, n]. Offsets (G + 1 of them, from 0 to S, non-decreasing) are checked
     * by the caller.
     */
    Tensor segmentMatmul(Tensor x, int[] offsets, Tensor w);

    /**
     * The weight gradient of {@link #segmentMatmul}: {@code out[g] = x_g^T · y_g} for the same row groups of x [S, k]
     * and y [S, n], giving [G, k, n] (zero for empty groups).
     */
    Tensor segmentTransposeMatmul(Tensor x, int[] offsets, Tensor y);

    /** out[i][j][k] = x[index[i][j][k]][j][k] for dim 0, and likewise for other dims (torch.gather). */
    Tensor gather(Tensor x, int dim, Tensor index);

    /** Selects the entries of {@code index} (1-d, I32/I64) along {@code dim}. */
    Tensor indexSelect(Tensor x, int dim, Tensor index);

    /** A copy of {@code self} with src scattered in and added: out[index[i][j]][j] += src[i][j] for dim 0. */
    Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src);

    /** A copy of {@code self} with the slices of src added at 1-d {@code index} along {@code dim}. */
    Tensor indexAdd(Tensor self, int dim, Tensor index, Tensor src);

    /**
     * Rotary position embedding over the last dim of x: each pair (a, b) becomes (a cos - b sin, b cos + a sin).
     * Pairs are (i, i + d/2), Hugging Face's rotate_half, or with {@code interleaved} (2i, 2i+1), llama2.c's and
     * Meta's. cos and sin have shape [..., d/2] (one angle per pair) and broadcast against x's leading dims.
     * The inverse rotation (the backward pass) is the same op with -sin.
     */
    Tensor rope(Tensor x, Tensor cos, Tensor sin, boolean interleaved);

    /**
     * {@link #rope}'s cos or sin broadcast to {@code shape} (x's leading dims, d/2 last), or the one error every backend
     * gives for angles of the wrong shape.
     */
    static Tensor ropeAngles(String name, Tensor t, int[] shape, Tensor x) {
        if (t.dim() == 0 || t.size(-1) != shape[shape.length - 1]) {
            throw new IllegalArgumentException("rope " + name + " has shape " + java.util.Arrays.toString(t.shape())
                    + "; its last dim must be half of the last dim of x " + java.util.Arrays.toString(x.shape()));
        }
        try {
            return t.expand(shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rope " + name + " of shape " + java.util.Arrays.toString(t.shape())
                    + " does not broadcast to " + java.util.Arrays.toString(shape) + " (x " + java.util.Arrays.toString(x.shape()) + ")");
        }
    }

    /**
     * Sparse times dense: {@code a [r, c] · x [c, d]} gives {@code [r, d]} ({@code x [c]} gives {@code [r]}). Row i
     * is the sum of value·x[col] over row i's entries, in entry order (independent of the thread count). The
     * aggregation step of graph layers: index_select and a segment sum in one pass, without the gathered rows.
     */
    Tensor spmm(CsrMatrix a, Tensor x);

    /**
     * One Adam/AdamW update of torch.optim's single-tensor rule, in place on {@code param}, {@code expAvg} and
     * {@code expAvgSq}, as one fused pass (the composed form reads and writes the parameter-sized tensors about ten
     * times):
     * <pre>
     *   g = grad + l2 * param          (Adam's weight decay; 0 for AdamW)
     *   param = decay * param          (AdamW's decoupled weight decay 1 - lr * wd; 1 for Adam)
     *   expAvg = beta1 * expAvg + (1 - beta1) * g
     *   expAvgSq = beta2 * expAvgSq + (1 - beta2) * g * g
     *   param = param - stepSize * expAvg / (sqrt(expAvgSq) / bc2Sqrt + eps)
     * </pre>
     * with {@code stepSize = lr / (1 - beta1^t)} and {@code bc2Sqrt = sqrt(1 - beta2^t)}. All four tensors have one
     * shape; param and the moments are contiguous and writable, all F32 or all F64.
     */
    void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double l2, double decay, double beta1,
                    double beta2, double eps, double stepSize, double bc2Sqrt);

    /** Inclusive prefix sum along {@code dim}. */
    Tensor cumsum(Tensor x, int dim);

    /**
     * Stable sort along {@code dim}: returns {values, indices (I64)}. With k < size, only the first k of the
     * sorted order (topk); ties keep their original order.
     */
    Tensor[] sort(Tensor x, int dim, boolean descending, int k);

    /** Fills a new tensor with Philox random numbers from {@code rng}'s stream (see {@link Generator}). */
    Tensor random(Generator.Distribution distribution, Generator rng, double a, double b, DType dtype, int... shape);
}

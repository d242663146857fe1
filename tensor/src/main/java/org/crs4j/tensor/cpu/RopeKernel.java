package org.crs4j.tensor.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.crs4j.tensor.Backend;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/**
 * Rotary position embedding: every pair (a, b) of the last dim is rotated by its angle,
 * {@code (a cos - b sin, b cos + a sin)}. A fused kernel because a transformer applies it to every query and key of
 * every layer: composed from views, neg, concat, mul and add it costs five temporaries per call, which dominates
 * token generation for small models.
 *
 * <p>Pairs are {@code (i, i + d/2)} (Hugging Face's {@code rotate_half}) or, {@code interleaved}, {@code (2i, 2i+1)}
 * (Meta's original LLaMA code and llama2.c). cos and sin hold one angle per pair, shape {@code [..., d/2]}, broadcast
 * against the leading dims of x.
 */
final class RopeKernel {
    private RopeKernel() {}

    private static final int L = VectorMath.F.length();

    static Tensor rope(Tensor x, Tensor cos, Tensor sin, boolean interleaved) {
        if (x.dim() == 0) throw new IllegalArgumentException("rope needs at least one dim");
        int d = x.size(-1);
        if (d % 2 != 0) throw new IllegalArgumentException("rope needs an even last dim, got shape " + Arrays.toString(x.shape()));
        int half = d / 2;
        int[] angleShape = x.shape();
        angleShape[angleShape.length - 1] = half;
        Tensor c = Backend.ropeAngles("cos", cos, angleShape, x), s = Backend.ropeAngles("sin", sin, angleShape, x);
        boolean f64 = x.dtype() == DType.F64 || cos.dtype() == DType.F64 || sin.dtype() == DType.F64;
        DType domain = f64 ? DType.F64 : DType.F32;
        Tensor xin = Operands.contiguousHeap(x, domain);
        Tensor cin = Operands.heap(c, domain), sin2 = Operands.heap(s, domain);
        // heap() keeps broadcast strides of heap tensors; a converted copy is contiguous in the expanded shape
        int rank = x.dim() - 1;
        int rows = half == 0 ? 0 : x.numel() / d;
        int[] lead = Arrays.copyOf(x.shape(), rank);
        int[] cStr = cin.strides(), sStr = sin2.strides();
        int cLast = cStr[rank], sLast = sStr[rank];
        Tensor out = CpuBackend.INSTANCE.zeros(domain, x.shape());
        int xo = xin.offset();
        Parallel.forRange(rows, Parallel.grain(2L * d), (start, end) -> {
            int[] idx = new int[rank];
            for (int r = start; r < end; r++) {
                int rem = r, co = cin.offset(), so = sin2.offset();
                for (int k = rank - 1; k >= 0; k--) {
                    idx[k] = rem % lead[k];
                    rem /= lead[k];
                    co += idx[k] * cStr[k];
                    so += idx[k] * sStr[k];
                }
                if (f64) {
                    rowF64(Operands.doubles(xin), xo + r * d, Operands.doubles(cin), co, cLast, Operands.doubles(sin2), so,
                            sLast, Operands.doubles(out), r * d, half, interleaved);
                } else {
                    rowF32(Operands.floats(xin), xo + r * d, Operands.floats(cin), co, cLast, Operands.floats(sin2), so,
                            sLast, Operands.floats(out), r * d, half, interleaved);
                }
            }
        });
        return out;
    }


    private static void rowF32(float[] x, int xo, float[] c, int co, int cs, float[] s, int so, int ss, float[] y, int yo,
                               int half, boolean interleaved) {
        if (interleaved) {
            for (int j = 0; j < half; j++) {
                float a = x[xo + 2 * j], b = x[xo + 2 * j + 1], cj = c[co + j * cs], sj = s[so + j * ss];
                y[yo + 2 * j] = a * cj - b * sj;
                y[yo + 2 * j + 1] = b * cj + a * sj;
            }
            return;
        }
        int j = 0;
        if (cs == 1 && ss == 1) {
            for (int bound = half - L + 1; j < bound; j += L) {
                FloatVector a = FloatVector.fromArray(VectorMath.F, x, xo + j);
                FloatVector b = FloatVector.fromArray(VectorMath.F, x, xo + half + j);
                FloatVector cj = FloatVector.fromArray(VectorMath.F, c, co + j);
                FloatVector sj = FloatVector.fromArray(VectorMath.F, s, so + j);
                a.mul(cj).sub(b.mul(sj)).intoArray(y, yo + j);
                b.mul(cj).add(a.mul(sj)).intoArray(y, yo + half + j);
            }
        }
        for (; j < half; j++) {
            float a = x[xo + j], b = x[xo + half + j], cj = c[co + j * cs], sj = s[so + j * ss];
            y[yo + j] = a * cj - b * sj;
            y[yo + half + j] = b * cj + a * sj;
        }
    }

    private static void rowF64(double[] x, int xo, double[] c, int co, int cs, double[] s, int so, int ss, double[] y,
                               int yo, int half, boolean interleaved) {
        for (int j = 0; j < half; j++) {
            int ia = interleaved ? 2 * j : j, ib = interleaved ? 2 * j + 1 : j + half;
            double a = x[xo + ia], b = x[xo + ib], cj = c[co + j * cs], sj = s[so + j * ss];
            y[yo + ia] = a * cj - b * sj;
            y[yo + ib] = b * cj + a * sj;
        }
    }
}

package org.crs4j.tensor.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/** Fused optimizer updates: one pass over parameter, gradient and state, in place. */
final class OptimizerKernels {
    private OptimizerKernels() {}

    private static final int L = VectorMath.F.length();

    static void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double l2, double decay,
                           double beta1, double beta2, double eps, double stepSize, double bc2Sqrt) {
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
            if (!t.isContiguous() || (dt == DType.F32 ? Operands.floats(t) : Operands.doubles(t)) == null) {
                throw new IllegalArgumentException("adam_update: parameter and moments must be contiguous heap arrays"
                        + " (a memory-mapped or strided tensor cannot be updated in place)");
            }
        }
        int n = param.numel();
        if (dt == DType.F32) {
            Tensor g = Operands.contiguousHeap(grad, DType.F32);
            float[] p = Operands.floats(param), gv = Operands.floats(g), m = Operands.floats(expAvg), v = Operands.floats(expAvgSq);
            int po = param.offset(), go = g.offset(), mo = expAvg.offset(), vo = expAvgSq.offset();
            float fl2 = (float) l2, fdecay = (float) decay, b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 - beta1),
                    c2 = (float) (1 - beta2), feps = (float) eps, step = (float) stepSize, bc2 = (float) bc2Sqrt;
            Parallel.forRange(n, Parallel.grain(8), (s, e) -> {
                int i = s;
                for (int bound = e - L + 1; i < bound; i += L) {
                    FloatVector pv = FloatVector.fromArray(VectorMath.F, p, po + i);
                    FloatVector gvv = FloatVector.fromArray(VectorMath.F, gv, go + i);
                    if (fl2 != 0) gvv = pv.fma(FloatVector.broadcast(VectorMath.F, fl2), gvv);
                    if (fdecay != 1) pv = pv.mul(fdecay);
                    FloatVector mv = FloatVector.fromArray(VectorMath.F, m, mo + i).mul(b1).add(gvv.mul(c1));
                    FloatVector vv = FloatVector.fromArray(VectorMath.F, v, vo + i).mul(b2).add(gvv.mul(c2).mul(gvv));
                    FloatVector denom = vv.sqrt().div(bc2).add(feps);
                    pv = pv.sub(mv.div(denom).mul(step));
                    mv.intoArray(m, mo + i);
                    vv.intoArray(v, vo + i);
                    pv.intoArray(p, po + i);
                }
                for (; i < e; i++) {
                    float pi = p[po + i], gi = gv[go + i];
                    if (fl2 != 0) gi = Math.fma(pi, fl2, gi);
                    if (fdecay != 1) pi = pi * fdecay;
                    float mi = m[mo + i] * b1 + gi * c1;
                    float vi = v[vo + i] * b2 + gi * c2 * gi;
                    float denom = (float) Math.sqrt(vi) / bc2 + feps;
                    m[mo + i] = mi;
                    v[vo + i] = vi;
                    p[po + i] = pi - mi / denom * step;
                }
            });
        } else {
            Tensor g = Operands.contiguousHeap(grad, DType.F64);
            double[] p = Operands.doubles(param), gv = Operands.doubles(g), m = Operands.doubles(expAvg), v = Operands.doubles(expAvgSq);
            int po = param.offset(), go = g.offset(), mo = expAvg.offset(), vo = expAvgSq.offset();
            Parallel.forRange(n, Parallel.grain(8), (s, e) -> {
                for (int i = s; i < e; i++) {
                    double pi = p[po + i], gi = gv[go + i] + l2 * pi;
                    pi *= decay;
                    double mi = beta1 * m[mo + i] + (1 - beta1) * gi;
                    double vi = beta2 * v[vo + i] + (1 - beta2) * gi * gi;
                    m[mo + i] = mi;
                    v[vo + i] = vi;
                    p[po + i] = pi - stepSize * mi / (Math.sqrt(vi) / bc2Sqrt + eps);
                }
            });
        }
    }
}

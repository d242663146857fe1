package org.crs4j.tensor.cpu;

import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Shape;
import org.crs4j.tensor.Tensor;

/** Fills tensors from the Philox stream: element i uses counter (start + i), whatever the thread count. */
final class RandomKernel {
    private RandomKernel() {}

    static Tensor random(Generator.Distribution dist, Generator rng, double a, double b, DType dtype, int[] shape) {
        if (!dtype.isFloating()) throw new IllegalArgumentException("random tensors are floating point, not " + dtype);
        if (dist == Generator.Distribution.UNIFORM && !(a <= b)) {
            throw new IllegalArgumentException("uniform range [" + a + ", " + b + ") is empty or NaN");
        }
        if (dist == Generator.Distribution.NORMAL && !(b >= 0)) {
            throw new IllegalArgumentException("normal standard deviation must be >= 0, got " + b);
        }
        int n = Shape.numel(shape);
        long start = rng.advance(n);
        long key = rng.seed();
        boolean f64 = dtype == DType.F64;
        Tensor out = CpuBackend.INSTANCE.zeros(f64 ? DType.F64 : DType.F32, shape);
        float[] yf = Operands.floats(out);
        double[] yd = Operands.doubles(out);
        Parallel.forRange(n, Parallel.grain(8), (s, e) -> {
            int[] w = new int[4];
            for (int i = s; i < e; i++) {
                Generator.philox(start + i, 0, key, w);
                double v;
                if (dist == Generator.Distribution.UNIFORM) {
                    double u = f64 ? Generator.uniform53(w[0], w[1]) : Generator.uniform24(w[0]);
                    v = a + (b - a) * u;
                    if (v >= b && b > a) v = Math.nextDown(b);
                } else {
                    v = a + b * Generator.normal(w[0], w[1], w[2], w[3]);
                }
                if (f64) yd[i] = v;
                else yf[i] = (float) v;
            }
        });
        return dtype == out.dtype() ? out : out.to(dtype);
    }
}

package org.crs4j.nn;

import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/** Parameter initialisations, with PyTorch's defaults named after the layer that uses them. */
public final class Init {
    private Init() {}

    /** U(-bound, bound). */
    public static Tensor uniform(Generator rng, double bound, int... shape) {
        return Tensor.rand(rng, -bound, bound, DType.F32, shape);
    }

    public static Tensor normal(Generator rng, double std, int... shape) {
        return Tensor.randn(rng, 0, std, DType.F32, shape);
    }

    /** torch.nn.Linear's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias. */
    public static Tensor linear(Generator rng, int fanIn, int... shape) {
        return uniform(rng, 1 / Math.sqrt(Math.max(fanIn, 1)), shape);
    }

    /** Xavier/Glorot uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform(Generator rng, int fanIn, int fanOut, int... shape) {
        return uniform(rng, Math.sqrt(6.0 / (fanIn + fanOut)), shape);
    }
}

package org.crs4j.nn;

import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/**
 * Parameter initialisations, with PyTorch's defaults named after the layer that uses them.
 *
 * <p>A null generator means "the weights will be loaded from a checkpoint": every initialiser then returns a
 * {@link #deferred} placeholder, so that building a 7B-parameter model before loading its memory-mapped weights
 * allocates nothing.
 */
public final class Init {
    private Init() {}

    /**
     * A zero-filled tensor of the given shape that costs one float: a single zero broadcast (stride 0) to the shape.
     * It is a placeholder for weights that {@link Module#loadStateDict} will replace; read-only in practice.
     */
    public static Tensor deferred(int... shape) {
        return Tensor.zeros(DType.F32).expand(shape);
    }

    /** U(-bound, bound); a {@link #deferred} placeholder when rng is null. */
    public static Tensor uniform(Generator rng, double bound, int... shape) {
        if (rng == null) return deferred(shape);
        return Tensor.rand(rng, -bound, bound, DType.F32, shape);
    }

    /** N(0, std^2); a {@link #deferred} placeholder when rng is null. */
    public static Tensor normal(Generator rng, double std, int... shape) {
        if (rng == null) return deferred(shape);
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

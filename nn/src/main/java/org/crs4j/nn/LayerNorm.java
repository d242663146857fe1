package org.crs4j.nn;

import org.crs4j.autograd.Variable;
import org.crs4j.tensor.Tensor;

/** Layer normalisation over the last dim with learned scale and shift (torch.nn.LayerNorm). */
public final class LayerNorm extends Module {
    private final Parameter weight, bias;
    private final double eps;

    public LayerNorm(int dim, double eps, boolean affine) {
        this.eps = eps;
        this.weight = affine ? parameter("weight", Tensor.ones(dim)) : null;
        this.bias = affine ? parameter("bias", Tensor.zeros(dim)) : null;
    }

    public LayerNorm(int dim) {
        this(dim, 1e-5, true);
    }

    public Variable forward(Variable x) {
        return x.layerNorm(weight == null ? null : weight.get(), bias == null ? null : bias.get(), eps);
    }
}

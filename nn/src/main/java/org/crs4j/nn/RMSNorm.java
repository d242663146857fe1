package org.crs4j.nn;

import org.crs4j.autograd.Variable;
import org.crs4j.tensor.Tensor;

/** RMS normalisation with a learned scale and no mean or bias (T5's layer norm, LLaMA's RMSNorm). */
public final class RMSNorm extends Module {
    private final Parameter weight;
    private final double eps;

    public RMSNorm(int dim, double eps) {
        this.eps = eps;
        this.weight = parameter("weight", Tensor.ones(dim));
    }

    public Variable forward(Variable x) {
        return x.rmsNorm(weight.get(), eps);
    }

    public Parameter weight() {
        return weight;
    }
}

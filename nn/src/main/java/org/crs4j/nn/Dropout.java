package org.crs4j.nn;

import org.crs4j.autograd.Variable;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/** Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1-p). */
public final class Dropout extends Module {
    private final double p;
    private final Generator rng;

    public Dropout(double p, Generator rng) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        this.p = p;
        this.rng = rng;
    }

    public Variable forward(Variable x) {
        if (!isTraining() || p == 0) return x;
        // drawn on x's device (the same Philox stream on either backend)
        Tensor keep = x.data().backend().zeros(DType.F32, x.shape()).add(1 - p).bernoulli(rng).div(1 - p);
        return x.mul(Variable.constant(keep));
    }
}

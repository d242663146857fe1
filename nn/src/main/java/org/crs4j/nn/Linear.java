package org.crs4j.nn;

import org.crs4j.autograd.Variable;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/** y = x W^T + b, with W stored [out, in] as in PyTorch and Hugging Face checkpoints. */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias; // null without bias
    private final int in, out;

    public Linear(int in, int out, boolean bias, Generator rng) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", Init.linear(rng, in, out, in));
        this.bias = bias ? parameter("bias", Init.linear(rng, in, out)) : null;
    }

    public Variable forward(Variable x) {
        if (x.size(-1) != in) {
            throw new IllegalArgumentException("Linear(" + in + " -> " + out + ") got input with last dim " + x.size(-1));
        }
        Variable y = x.matmul(weight.get().mT());
        return bias == null ? y : y.add(bias.get());
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    /** Replaces the weight (e.g. a tied embedding). */
    public void setWeight(Tensor w) {
        weight.set(w);
    }
}

package org.crs4j.nn;

import org.crs4j.autograd.Variable;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;

/** A [vocab, dim] lookup table; initialised N(0, 1) like torch.nn.Embedding. */
public final class Embedding extends Module {
    private final Parameter weight;

    public Embedding(int vocab, int dim, Generator rng) {
        this.weight = parameter("weight", Init.normal(rng, 1.0, vocab, dim));
    }

    /** Rows for integer ids of any shape: [...ids] -> [...ids, dim]. */
    public Variable forward(Tensor ids) {
        return weight.get().embedding(ids);
    }

    public Parameter weight() {
        return weight;
    }

    public int vocabSize() {
        return weight.shape()[0];
    }

    public int dim() {
        return weight.shape()[1];
    }
}

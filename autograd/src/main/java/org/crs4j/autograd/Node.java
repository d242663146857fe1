package org.crs4j.autograd;

import org.crs4j.tensor.Tensor;

/**
 * One recorded op: its inputs and the function from the output's gradient to the inputs' gradients.
 * Backprop releases both as soon as the node has run, so the saved tensors are freed early.
 */
final class Node {
    /** Gradients of the inputs, given the gradient of the output; entries may be null where not needed. */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor gradOutput, boolean[] needs);
    }

    final String op;
    Variable[] inputs;
    Backward backward;
    final boolean[] needs;

    Node(String op, Variable[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
        this.needs = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) needs[i] = inputs[i].requiresGrad();
    }

    boolean released() {
        return backward == null;
    }

    void release() {
        inputs = null;
        backward = null;
    }
}

package org.crs4j.nn;

import java.util.Arrays;
import org.crs4j.autograd.Variable;
import org.crs4j.tensor.Tensor;

/**
 * A named slot of a {@link Module} holding a tensor: the weight itself may be replaced (loading a checkpoint
 * memory-maps new tensors without copying; an optimizer step installs the updated values), while layers keep
 * referring to the slot. Frozen parameters (pretrained LLM weights) take part in forward passes without gradients.
 */
public final class Parameter {
    private Variable variable;
    private boolean trainable;

    public Parameter(Tensor initial, boolean trainable) {
        this.trainable = trainable && initial.dtype().isFloating();
        this.variable = wrap(initial);
    }

    private Variable wrap(Tensor t) {
        return trainable ? Variable.parameter(t) : Variable.constant(t);
    }

    /** The variable to use in a forward pass (its gradient accumulates here during backward). */
    public Variable get() {
        return variable;
    }

    public Tensor data() {
        return variable.data();
    }

    public Tensor grad() {
        return variable.grad();
    }

    public void zeroGrad() {
        variable.zeroGrad();
    }

    public boolean trainable() {
        return trainable;
    }

    /** Stops (or restarts) gradient flow into this parameter. */
    public void setTrainable(boolean trainable) {
        if (trainable == this.trainable) return;
        this.trainable = trainable && data().dtype().isFloating();
        variable = wrap(variable.data());
    }

    /** Installs new values of the same shape; the gradient is reset. */
    public void set(Tensor value) {
        if (!Arrays.equals(value.shape(), data().shape())) {
            throw new IllegalArgumentException("new value has shape " + Arrays.toString(value.shape())
                    + ", parameter has " + Arrays.toString(data().shape()));
        }
        variable = wrap(value);
    }

    /** Installs optimizer-updated values of the same shape and dtype, keeping the current gradient. */
    public void update(Tensor value) {
        Tensor grad = variable.grad();
        set(value);
        if (grad != null) variable.setGrad(grad);
    }

    public int[] shape() {
        return data().shape();
    }

    public long numel() {
        return data().numel();
    }
}

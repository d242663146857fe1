package org.crs4j.nn.optim;

import java.util.List;
import java.util.Map;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.Tensor;

/**
 * Stochastic gradient descent with torch.optim.SGD's rule: with weight decay wd, momentum mu, dampening tau,
 * <pre>
 *   d = grad + wd * param
 *   buf = d                                  (first step)
 *   buf = mu * buf + (1 - tau) * d           (later steps)
 *   d = nesterov ? d + mu * buf : buf        (when mu != 0)
 *   param = param - lr * d
 * </pre>
 */
public final class SGD extends Optimizer {
    private final double momentum, dampening;
    private final boolean nesterov;

    public SGD(List<ParamGroup> groups, double momentum, double dampening, boolean nesterov) {
        super(groups);
        if (!(momentum >= 0)) throw new IllegalArgumentException("momentum must be >= 0, got " + momentum);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
    }

    public SGD(Map<String, Parameter> params, double lr, double momentum, double weightDecay) {
        this(List.of(new ParamGroup(params, lr, weightDecay)), momentum, 0, false);
    }

    public SGD(List<Parameter> params, double lr) {
        this(named(params), lr, 0, 0);
    }

    @Override
    protected Tensor update(Tensor param, Tensor grad, Map<String, Tensor> state, long step, double lr, double weightDecay) {
        Tensor d = weightDecay == 0 ? grad : grad.add(param.mul(weightDecay));
        if (momentum != 0) {
            Tensor buf = state.get("momentum_buffer");
            buf = buf == null ? d.copy() : buf.mul(momentum).add(d.mul(1 - dampening));
            state.put("momentum_buffer", buf);
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        return param.sub(d.mul(lr));
    }

    @Override
    public List<String> stateKeys() {
        return momentum == 0 ? List.of() : List.of("momentum_buffer");
    }
}

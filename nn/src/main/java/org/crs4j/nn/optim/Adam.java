package org.crs4j.nn.optim;

import java.util.List;
import java.util.Map;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.Tensor;

/**
 * Adam with torch.optim.Adam's rule (eps added after the bias-corrected square root, as torch does):
 * <pre>
 *   g = grad + wd * param                          (Adam: L2 penalty folded into the gradient)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 *   param = param - lr / (1 - beta1^t) * m / denom
 * </pre>
 * {@link AdamW} decouples the weight decay instead: {@code param *= 1 - lr * wd} before the same update.
 */
public class Adam extends Optimizer {
    private final double beta1, beta2, eps;
    private final boolean decoupledWeightDecay;

    protected Adam(List<ParamGroup> groups, double beta1, double beta2, double eps, boolean decoupledWeightDecay) {
        super(groups);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps >= 0)) throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupledWeightDecay = decoupledWeightDecay;
    }

    public Adam(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        this(groups, beta1, beta2, eps, false);
    }

    /** torch defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(Map<String, Parameter> params, double lr) {
        this(List.of(new ParamGroup(params, lr, 0)), 0.9, 0.999, 1e-8, false);
    }

    @Override
    protected Tensor update(Tensor param, Tensor grad, Map<String, Tensor> state, long step, double lr, double weightDecay) {
        Tensor p = param;
        Tensor g = grad;
        if (weightDecay != 0) {
            if (decoupledWeightDecay) p = p.mul(1 - lr * weightDecay);
            else g = g.add(p.mul(weightDecay));
        }
        Tensor m = state.get("exp_avg"), v = state.get("exp_avg_sq");
        m = m == null ? g.mul(1 - beta1) : m.mul(beta1).add(g.mul(1 - beta1));
        v = v == null ? g.square().mul(1 - beta2) : v.mul(beta2).add(g.square().mul(1 - beta2));
        state.put("exp_avg", m);
        state.put("exp_avg_sq", v);
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / biasCorrection1;
        Tensor denom = v.sqrt().div(biasCorrection2Sqrt).add(eps);
        return p.sub(m.div(denom).mul(stepSize));
    }

    @Override
    public List<String> stateKeys() {
        return List.of("exp_avg", "exp_avg_sq");
    }
}

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
        // one fused pass, in place (Backend.adamUpdate); a parameter that cannot be written in place (memory-mapped,
        // strided) is first replaced by a contiguous copy, which is then updated and installed
        Tensor p = param.isContiguous() && writable(param) ? param : param.copy();
        // the moments live where the parameter does (on a GPU for a module moved there)
        Tensor m = state.computeIfAbsent("exp_avg", k -> p.backend().zeros(p.dtype(), p.shape()));
        Tensor v = state.computeIfAbsent("exp_avg_sq", k -> p.backend().zeros(p.dtype(), p.shape()));
        double l2 = decoupledWeightDecay ? 0 : weightDecay;
        double decay = decoupledWeightDecay ? 1 - lr * weightDecay : 1;
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        p.backend().adamUpdate(p, grad.to(p.dtype()), m, v, l2, decay, beta1, beta2, eps, stepSize, biasCorrection2Sqrt);
        return p;
    }

    /** Storage the backend can update in place: CPU heap arrays (memory-mapped tensors are read-only) or GPU memory. */
    private static boolean writable(Tensor t) {
        if (t.device().kind() == org.crs4j.tensor.Device.Kind.CUDA) return true;
        return t.storage() instanceof org.crs4j.tensor.cpu.CpuStorage s && (s.floats() != null || s.doubles() != null);
    }

    @Override
    public List<String> stateKeys() {
        return List.of("exp_avg", "exp_avg_sq");
    }
}

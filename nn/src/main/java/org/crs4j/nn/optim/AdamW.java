package org.crs4j.nn.optim;

import java.util.List;
import java.util.Map;
import org.crs4j.nn.Parameter;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter; torch.optim.AdamW): each step first shrinks the
 * parameters by {@code 1 - lr * wd}, then applies the Adam update to the plain gradient. See {@link Adam}.
 */
public final class AdamW extends Adam {
    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        super(groups, beta1, beta2, eps, true);
    }

    /** torch defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public AdamW(Map<String, Parameter> params, double lr) {
        this(params, lr, 0.01);
    }

    public AdamW(Map<String, Parameter> params, double lr, double weightDecay) {
        this(List.of(new ParamGroup(params, lr, weightDecay)), 0.9, 0.999, 1e-8);
    }
}

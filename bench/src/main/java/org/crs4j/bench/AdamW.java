package org.crs4j.bench;

import java.util.List;
import org.crs4j.autograd.GradMode;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.Tensor;

/**
 * PyTorch's AdamW update (torch.optim.AdamW, amsgrad off), for the training-step benchmark only: crs4j's optimizers
 * belong to the nn module's optimizer work and are not used here so that this benchmark does not depend on it.
 * Per parameter: p -= lr*wd*p; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; p -= lr * m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps).
 */
final class AdamW {
    private final List<Parameter> params;
    private final Tensor[] m, v;
    private final double lr, b1, b2, eps, wd;
    private int step;

    AdamW(List<Parameter> params, double lr, double b1, double b2, double eps, double wd) {
        this.params = params;
        this.lr = lr;
        this.b1 = b1;
        this.b2 = b2;
        this.eps = eps;
        this.wd = wd;
        m = new Tensor[params.size()];
        v = new Tensor[params.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = Tensor.zeros(params.get(i).shape());
            v[i] = Tensor.zeros(params.get(i).shape());
        }
    }

    void step() {
        step++;
        double c1 = 1 - Math.pow(b1, step), c2 = 1 - Math.pow(b2, step);
        try (var off = GradMode.off()) {
            for (int i = 0; i < m.length; i++) {
                Parameter p = params.get(i);
                Tensor g = p.grad();
                if (g == null) continue;
                m[i] = m[i].mul(b1).add(g.mul(1 - b1));
                v[i] = v[i].mul(b2).add(g.square().mul(1 - b2));
                Tensor update = m[i].div(c1).div(v[i].div(c2).sqrt().add(eps)).mul(lr);
                p.set(p.data().mul(1 - lr * wd).sub(update));
            }
        }
    }
}

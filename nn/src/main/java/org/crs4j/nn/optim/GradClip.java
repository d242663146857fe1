package org.crs4j.nn.optim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.crs4j.autograd.GradMode;
import org.crs4j.nn.Parameter;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Tensor;

/** Gradient clipping (torch.nn.utils.clip_grad_norm_). */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales all gradients together so that their global norm (as if concatenated into one vector) is at most
     * {@code maxNorm}, and returns the norm before clipping. As torch: the scale is
     * {@code min(1, maxNorm / (total + 1e-6))} and is applied even when it is 1; parameters without a gradient are
     * ignored; with no gradients at all the norm is 0. {@code normType} is a p-norm order or
     * {@code Double.POSITIVE_INFINITY} (largest absolute value). A NaN or infinite norm is returned as is (and
     * multiplies the gradients, as torch's default {@code error_if_nonfinite=False} does): check it to skip a step.
     */
    public static double clipGradNorm(Collection<Parameter> params, double maxNorm, double normType) {
        if (!(normType > 0)) throw new IllegalArgumentException("norm type must be > 0, got " + normType);
        List<Parameter> withGrad = new ArrayList<>();
        for (Parameter p : params) if (p.grad() != null) withGrad.add(p);
        if (withGrad.isEmpty()) return 0;
        try (var off = GradMode.off()) {
            double total;
            if (withGrad.getFirst().grad().device().kind() != Device.Kind.CPU) {
                total = deviceNorm(withGrad, normType);
            } else if (normType == Double.POSITIVE_INFINITY) {
                total = 0;
                for (Parameter p : withGrad) total = Math.max(total, p.grad().abs().max().item());
            } else {
                // per-tensor norms in the gradient's dtype, combined in double (torch: norm of the stacked norms)
                double sum = 0;
                for (Parameter p : withGrad) {
                    Tensor g = p.grad();
                    double n = normType == 2 ? Math.sqrt(g.square().sum().item())
                            : Math.pow(g.abs().pow(normType).sum().item(), 1 / normType);
                    sum += Math.pow(n, normType);
                }
                total = Math.pow(sum, 1 / normType);
            }
            double coef = Math.min(maxNorm / (total + 1e-6), 1.0);
            if (coef == 1.0) return total; // x * 1 is x: skipping the multiply changes no bit (NaN norms give NaN coef)
            for (Parameter p : withGrad) {
                Tensor g = p.grad();
                p.get().setGrad(g.mul(coef));
            }
            return total;
        }
    }

    /**
     * The global norm of gradients on a GPU, read back once: the per-tensor sums of |g|^p (or maxima) are combined on
     * the device, where reading each tensor's norm would wait for the device once per parameter. Mathematically the
     * CPU path's figure; the sums combine in F32 on the device rather than in double.
     */
    private static double deviceNorm(List<Parameter> withGrad, double normType) {
        Tensor acc = null;
        for (Parameter p : withGrad) {
            Tensor g = p.grad();
            Tensor part = normType == Double.POSITIVE_INFINITY ? g.abs().max()
                    : normType == 2 ? g.square().sum() : g.abs().pow(normType).sum();
            acc = acc == null ? part : normType == Double.POSITIVE_INFINITY ? acc.maximum(part) : acc.add(part);
        }
        double v = acc.item();
        return normType == Double.POSITIVE_INFINITY ? v : Math.pow(v, 1 / normType);
    }

    /** The L2 form, the common case. */
    public static double clipGradNorm(Collection<Parameter> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }
}

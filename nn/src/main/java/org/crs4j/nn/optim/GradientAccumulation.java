package org.crs4j.nn.optim;

/**
 * Gradient accumulation, the "update frequency" of paper 003 (batch 32, update frequency 4: one optimizer step per
 * 4 micro-batches, an effective batch of 128).
 *
 * <pre>{@code
 * GradientAccumulation acc = new GradientAccumulation(4);
 * for (Batch b : batches) {
 *     Variable loss = model.loss(b);
 *     acc.scale(loss).backward();              // loss / 4: gradients add up across micro-batches
 *     if (acc.microStepDone()) {                // true on every 4th call
 *         GradClip.clipGradNorm(params, 1.0);  // clip the accumulated gradient, as fairseq does
 *         optimizer.step();
 *         scheduler.step();
 *         optimizer.zeroGrad();
 *     }
 * }
 * }</pre>
 *
 * Why 1/k: backward adds each micro-batch's gradient into the parameters' {@code grad}, so k mean losses scaled by
 * 1/k give the gradient of the mean over all k micro-batches — the same update as one batch k times larger (exactly,
 * when the micro-batches are equally sized). Schedules count optimizer steps, not micro-batches.
 */
public final class GradientAccumulation {
    private final int every;
    private int pending;

    public GradientAccumulation(int every) {
        if (every < 1) throw new IllegalArgumentException("update frequency must be >= 1, got " + every);
        this.every = every;
    }

    public int every() {
        return every;
    }

    /** {@code loss / k}. */
    public org.crs4j.autograd.Variable scale(org.crs4j.autograd.Variable loss) {
        return every == 1 ? loss : loss.div(every);
    }

    /** Counts one micro-batch; true when k have been accumulated and the optimizer should step. */
    public boolean microStepDone() {
        pending++;
        if (pending < every) return false;
        pending = 0;
        return true;
    }

    /** Micro-batches accumulated since the last step (saved in checkpoints taken mid-accumulation). */
    public int pending() {
        return pending;
    }

    public void setPending(int pending) {
        if (pending < 0 || pending >= every) {
            throw new IllegalArgumentException("pending micro-batches must be in [0, " + every + "), got " + pending);
        }
        this.pending = pending;
    }
}

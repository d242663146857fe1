package org.crs4j.nn.optim;

/**
 * Drives an optimizer's learning rates by a {@link LrSchedule} (torch's LambdaLR): every group's lr is its initial
 * lr times {@code schedule.factor(step)}. Construction applies step 0; call {@link #step()} after each
 * {@code optimizer.step()}.
 */
public final class LrScheduler {
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private long step;

    public LrScheduler(Optimizer optimizer, LrSchedule schedule) {
        this.optimizer = optimizer;
        this.schedule = schedule;
        apply();
    }

    public void step() {
        step++;
        apply();
    }

    /** Optimizer steps taken so far (torch's {@code last_epoch}). */
    public long steps() {
        return step;
    }

    /** Resumes at {@code step} (from a checkpoint) and sets the learning rates for it. */
    public void setSteps(long step) {
        if (step < 0) throw new IllegalArgumentException("scheduler step must be >= 0, got " + step);
        this.step = step;
        apply();
    }

    private void apply() {
        double f = schedule.factor(step);
        for (int i = 0; i < optimizer.groupCount(); i++) optimizer.setLr(i, optimizer.group(i).lr() * f);
    }

    public Optimizer optimizer() {
        return optimizer;
    }
}

package org.crs4j.nn.optim;

/**
 * A learning-rate schedule: the factor by which the initial learning rate is multiplied after {@code step}
 * optimizer steps (torch's LambdaLR lambda). The formulas are those of Hugging Face transformers'
 * {@code get_*_schedule_with_warmup}, so that a run configured like a paper's HF/fairseq recipe sees the same
 * learning rates. In every warm-up the factor at step 0 is 0: the very first update uses lr 0, as in HF.
 */
@FunctionalInterface
public interface LrSchedule {
    double factor(long step);

    /** 1 throughout. */
    static LrSchedule constant() {
        return step -> 1.0;
    }

    /** Linear warm-up from 0 to 1 over {@code warmup} steps, then 1. */
    static LrSchedule constantWithWarmup(long warmup) {
        checkSteps(warmup, Long.MAX_VALUE);
        return step -> step < warmup ? (double) step / Math.max(1, warmup) : 1.0;
    }

    /** Linear warm-up, then linear decay to 0 at {@code total} steps (HF get_linear_schedule_with_warmup). */
    static LrSchedule linearWithWarmup(long warmup, long total) {
        checkSteps(warmup, total);
        return step -> step < warmup ? (double) step / Math.max(1, warmup)
                : Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
    }

    /**
     * Linear warm-up, then polynomial decay from the initial lr to {@code lrEnd} at {@code total} steps with the
     * given power, and {@code lrEnd} afterwards (HF get_polynomial_decay_schedule_with_warmup; power 1 is linear
     * decay to lrEnd). Paper 003 trains its recommender with 1000 warm-up steps and this decay.
     */
    static LrSchedule polynomialWithWarmup(long warmup, long total, double lrInit, double lrEnd, double power) {
        checkSteps(warmup, total);
        if (!(lrInit > lrEnd)) throw new IllegalArgumentException("lr_end (" + lrEnd + ") must be smaller than the initial lr (" + lrInit + ")");
        return step -> {
            if (step < warmup) return (double) step / Math.max(1, warmup);
            if (step > total) return lrEnd / lrInit;
            double remaining = 1 - (double) (step - warmup) / (total - warmup);
            return ((lrInit - lrEnd) * Math.pow(remaining, power) + lrEnd) / lrInit;
        };
    }

    /** Linear warm-up, then a half cosine from 1 to 0 at {@code total} steps (HF get_cosine_schedule_with_warmup). */
    static LrSchedule cosineWithWarmup(long warmup, long total) {
        return cosineWithWarmup(warmup, total, 0.5);
    }

    /** As above with {@code cycles} cosine periods (0.5 = one half-wave down to 0). */
    static LrSchedule cosineWithWarmup(long warmup, long total, double cycles) {
        checkSteps(warmup, total);
        return step -> {
            if (step < warmup) return (double) step / Math.max(1, warmup);
            double progress = (double) (step - warmup) / Math.max(1, total - warmup);
            return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * cycles * 2.0 * progress)));
        };
    }

    private static void checkSteps(long warmup, long total) {
        if (warmup < 0) throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmup);
        if (total < warmup) throw new IllegalArgumentException("total steps (" + total + ") must be >= warm-up steps (" + warmup + ")");
    }
}

package org.crs4j.crs.rec;

/** What a training run reports as it goes: for a progress bar, a log, or the chat's first-use message. */
public interface TrainingListener {

    /**
     * Once, before the first update.
     *
     * @param samples         training samples used (those with at least one context entity)
     * @param emptyContexts   training samples left out because their context has no entity (nothing to learn from)
     * @param firstEpoch      1, or the epoch a resumed run continues with
     */
    default void started(RecSettings settings, int samples, int emptyContexts, int updatesPerEpoch, int firstEpoch) {}

    /** After each optimizer step; {@code update} counts from 1 within the epoch. */
    default void updated(int epoch, int update, int updatesPerEpoch, double loss) {}

    /** After each epoch's validation (and its checkpoint). */
    default void epochEnded(EpochRecord record) {}

    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() {};

    /**
     * One epoch: mean training loss terms, validation Recall@1/10/50 (with the popularity fallback for empty
     * contexts, exactly as evaluation computes them), whether it is the best so far, and its cost.
     */
    record EpochRecord(int epoch, double loss, double ce, double causal, double kl, double validRecall1,
                       double validRecall10, double validRecall50, boolean improved, int bestEpoch, double lr,
                       double trainSeconds, double validSeconds, int samples) {

        public static final String CSV_HEADER = "epoch,loss,ce,causal,kl,valid_recall@1,valid_recall@10,valid_recall@50,best,lr,train_seconds,valid_seconds";

        public String csv() {
            return String.format(java.util.Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%s,%.6g,%.2f,%.2f", epoch, loss, ce,
                    causal, kl, validRecall1, validRecall10, validRecall50, improved, lr, trainSeconds, validSeconds);
        }
    }
}

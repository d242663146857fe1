package org.crs4j.crs.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.crs4j.crs.rec.RecSettings;
import org.crs4j.crs.rec.TrainingListener;
import org.crs4j.data.prepare.Progress;

/**
 * Training and data preparation shown in the terminal: a progress bar on stderr (loss, samples/s, ETA; plain
 * lines when stderr is not a terminal) and one summary line per epoch on stdout.
 */
final class ConsoleProgress implements TrainingListener, Progress {
    private final PrintStream err;
    private final PrintWriter out;
    private ProgressBar bar;
    private RecSettings settings;
    private long epochStart;
    private int samples;

    ConsoleProgress(PrintStream err, PrintWriter out) {
        this.err = err;
        this.out = out;
    }

    private ProgressBar bar(String task, long total, String unit) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(500).setUnit(unit, 1).build();
    }

    // ------------------------------------------------------------------ data preparation

    @Override
    public void start(String task, long total) {
        done();
        bar = bar(task, total, "");
    }

    @Override
    public void advance(long n) {
        if (bar != null) bar.stepBy(n);
    }

    @Override
    public void done() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    // ------------------------------------------------------------------ training

    @Override
    public void started(RecSettings s, int samples, int emptyContexts, int updatesPerEpoch, int firstEpoch) {
        this.settings = s;
        this.samples = samples;
        out.printf(Locale.ROOT, "training %s: %,d samples (%,d without context entities left out), %d updates of %d per epoch, "
                + "up to %d epochs, patience %d, seed %d%s%n", s.variant(), samples, emptyContexts, updatesPerEpoch,
                s.samplesPerUpdate(), s.maxEpochs(), s.patience(), s.seed(), firstEpoch > 1 ? ", resuming at epoch " + firstEpoch : "");
        out.flush();
    }

    @Override
    public void updated(int epoch, int update, int updatesPerEpoch, double loss) {
        if (update == 1) {
            done();
            bar = bar(String.format(Locale.ROOT, "epoch %d/%d", epoch, settings.maxEpochs()), updatesPerEpoch, " updates");
            epochStart = System.nanoTime();
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        int seen = Math.min(samples, update * settings.samplesPerUpdate());
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f, %.0f samples/s", loss, seen / Math.max(seconds, 1e-9)));
        bar.stepTo(update);
    }

    @Override
    public void epochEnded(EpochRecord r) {
        done();
        String causal = settings.causal() ? String.format(Locale.ROOT, " (ce %.4f, causal %+.4f, kl %.4f)", r.ce(), r.causal(), r.kl()) : "";
        out.printf(Locale.ROOT, "epoch %d: loss %.4f%s | valid Recall@1/10/50 %.4f / %.4f / %.4f%s | lr %.2e | %.1f s train (%.0f samples/s), %.1f s valid%n",
                r.epoch(), r.loss(), causal, r.validRecall1(), r.validRecall10(), r.validRecall50(),
                r.improved() ? " (best)" : " (best: epoch " + r.bestEpoch() + ")", r.lr(), r.trainSeconds(),
                r.samples() / r.trainSeconds(), r.validSeconds());
        out.flush();
    }
}

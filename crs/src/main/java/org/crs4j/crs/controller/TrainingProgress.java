package org.crs4j.crs.controller;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar of a training run on stderr (me.tongfei progressbar): samples done of the total, samples per
 * second, ETA, and the run's latest figures (loss, mean reward, baseline...) as its message. A resumed run starts the
 * bar where the checkpoint left off; speed and ETA count only this process's work.
 */
public final class TrainingProgress implements AutoCloseable {
    private final ProgressBar bar;

    public TrainingProgress(String task, long totalSamples, long doneSamples, PrintStream err) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSamples).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(System.console() != null ? new ConsoleProgressBarConsumer(err) // the terminal's width
                        : new ConsoleProgressBarConsumer(err, 200)) // a log file: keep the whole line
                .setUpdateIntervalMillis(500).setUnit(" samples", 1)
                .showSpeed(new DecimalFormat("0.0##")).startsFrom(doneSamples, Duration.ZERO).build();
    }

    /** {@code samples} more done; {@code figures} replaces the message (e.g. "loss 0.52 reward 0.31 baseline 0.28"). */
    public void advance(long samples, String figures) {
        bar.setExtraMessage(" " + figures);
        bar.stepBy(samples);
    }

    @Override
    public void close() {
        bar.close();
    }
}

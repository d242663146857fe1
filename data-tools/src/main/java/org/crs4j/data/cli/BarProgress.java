package org.crs4j.data.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.crs4j.data.prepare.Progress;

/** {@link Progress} shown as a terminal progress bar on stderr (plain lines when stderr is not a terminal). */
final class BarProgress implements Progress {
    private final PrintStream err;
    private final boolean bytes;
    private ProgressBar bar;

    BarProgress(PrintStream err, boolean bytes) {
        this.err = err;
        this.bytes = bytes;
    }

    @Override
    public void start(String task, long total) {
        done();
        var b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(250);
        if (bytes) b.setUnit(" MiB", 1 << 20).showSpeed();
        bar = b.build();
    }

    @Override
    public void advance(long n) { if (bar != null) bar.stepBy(n); }

    @Override
    public void done() {
        if (bar != null) { bar.close(); bar = null; }
    }
}

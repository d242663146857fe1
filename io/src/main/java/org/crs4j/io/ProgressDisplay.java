package org.crs4j.io;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one long task at a time, on stderr. On a terminal it is a bar redrawn in place (me.tongfei progressbar);
 * anywhere else (a log file, a pipe, CI) it is plain lines, never a carriage return: one when the task starts, one at
 * most every {@link #LINE_INTERVAL} while it runs, and one when it ends, so a log keeps a readable record.
 */
public final class ProgressDisplay {
    /** Shortest time between two progress lines in a log. */
    public static final Duration LINE_INTERVAL = Duration.ofSeconds(10);

    private final PrintStream err;
    private final boolean terminal;
    private final String unit;
    private final long unitSize;
    private final LongSupplier nanoClock;

    private ProgressBar bar;
    private String task;
    private long total, current, started, lastLine;

    /**
     * @param unit     appended to amounts (" MiB" for downloads), or "" for counts
     * @param unitSize how many of the counted things make one unit (1 << 20 bytes per MiB)
     */
    public ProgressDisplay(PrintStream err, boolean terminal, String unit, long unitSize, LongSupplier nanoClock) {
        this.err = err;
        this.terminal = terminal;
        this.unit = unit;
        this.unitSize = unitSize;
        this.nanoClock = nanoClock;
    }

    /** Counts on stderr, a bar when stderr is a terminal. */
    public static ProgressDisplay counts() {
        return new ProgressDisplay(System.err, Terminal.stderrIsTerminal(), "", 1, System::nanoTime);
    }

    /** Bytes shown in MiB on stderr, a bar when stderr is a terminal. */
    public static ProgressDisplay bytes() {
        return new ProgressDisplay(System.err, Terminal.stderrIsTerminal(), " MiB", 1 << 20, System::nanoTime);
    }

    /** Starts a task of {@code total} units (-1 when unknown), {@code already} of them done (a resumed download). */
    public void start(String task, long total, long already) {
        done();
        this.task = task;
        this.total = total;
        this.current = Math.max(0, already);
        this.started = nanoClock.getAsLong();
        this.lastLine = started;
        if (terminal) {
            var b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(err)).setUpdateIntervalMillis(250)
                    .startsFrom(current, Duration.ZERO);
            if (unitSize > 1) b.setUnit(unit, unitSize).showSpeed();
            bar = b.build();
        } else {
            err.println(task + ": " + (total >= 0 ? amount(total) + " to go" + (current > 0 ? ", " + amount(current) + " already done" : "") : "started"));
            err.flush();
        }
    }

    public void start(String task, long total) {
        start(task, total, 0);
    }

    public void advance(long n) {
        if (task == null) return;
        current += n;
        if (bar != null) {
            bar.stepBy(n);
            return;
        }
        long now = nanoClock.getAsLong();
        if (now - lastLine >= LINE_INTERVAL.toNanos()) {
            lastLine = now;
            err.println(task + ": " + amount(current) + (total > 0 ? " of " + amount(total)
                    + String.format(Locale.ROOT, " (%.0f%%)", 100.0 * current / total) : ""));
            err.flush();
        }
    }

    /** Ends the current task (nothing happens when none runs). */
    public void done() {
        if (task == null) return;
        if (bar != null) {
            bar.close();
            bar = null;
        } else {
            double seconds = (nanoClock.getAsLong() - started) / 1e9;
            String amount = total < 0 && current == 0 ? "" : amount(current) + " ";
            err.println(task + ": " + amount + String.format(Locale.ROOT, "done in %.1f s", seconds));
            err.flush();
        }
        task = null;
    }

    private String amount(long n) {
        if (unitSize <= 1) return String.format(Locale.ROOT, "%,d%s", n, unit);
        return String.format(Locale.ROOT, "%.1f%s", (double) n / unitSize, unit);
    }
}

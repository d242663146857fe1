package org.crs4j.models.hub;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress of one file download at a time. */
public interface DownloadProgress {
    DownloadProgress NONE = new DownloadProgress() {
        @Override
        public void start(String file, long total, long already) {}

        @Override
        public void advance(long bytes) {}

        @Override
        public void done() {}
    };

    /**
     * @param total   bytes in all, or -1 when unknown
     * @param already bytes already on disk (a resumed download)
     */
    void start(String file, long total, long already);

    void advance(long bytes);

    void done();

    /** A progress bar (me.tongfei progressbar) on {@code err}; plain lines when it is not a terminal. */
    static DownloadProgress bar(PrintStream err) {
        return new DownloadProgress() {
            private ProgressBar bar;

            @Override
            public void start(String file, long total, long already) {
                done();
                bar = new ProgressBarBuilder().setTaskName(file).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new ConsoleProgressBarConsumer(err)).setUnit(" MiB", 1 << 20).showSpeed()
                        .setUpdateIntervalMillis(250).startsFrom(Math.max(0, already), java.time.Duration.ZERO).build();
            }

            @Override
            public void advance(long bytes) {
                if (bar != null) bar.stepBy(bytes);
            }

            @Override
            public void done() {
                if (bar != null) {
                    bar.close();
                    bar = null;
                }
            }
        };
    }
}

package org.crs4j.models.hub;

import java.io.PrintStream;
import org.crs4j.io.ProgressDisplay;
import org.crs4j.io.Terminal;

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

    /**
     * Progress on {@code err} ({@link ProgressDisplay}): a bar when it is the terminal's stderr, plain lines without
     * carriage returns in a log or pipe.
     */
    static DownloadProgress bar(PrintStream err) {
        ProgressDisplay display = new ProgressDisplay(err, err == System.err && Terminal.stderrIsTerminal(), " MiB", 1 << 20,
                System::nanoTime);
        return new DownloadProgress() {
            @Override
            public void start(String file, long total, long already) {
                display.start(file, total, already);
            }

            @Override
            public void advance(long bytes) {
                display.advance(bytes);
            }

            @Override
            public void done() {
                display.done();
            }
        };
    }
}

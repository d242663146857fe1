package org.crs4j.data.cli;

import org.crs4j.data.prepare.Progress;
import org.crs4j.io.ProgressDisplay;

/**
 * {@link Progress} on stderr ({@link ProgressDisplay}): a bar on a terminal, plain lines without carriage returns in a
 * log or pipe.
 */
final class BarProgress implements Progress {
    private final ProgressDisplay display;

    BarProgress(boolean bytes) {
        this.display = bytes ? ProgressDisplay.bytes() : ProgressDisplay.counts();
    }

    @Override
    public void start(String task, long total) { display.start(task, total); }

    @Override
    public void advance(long n) { display.advance(n); }

    @Override
    public void done() { display.done(); }
}

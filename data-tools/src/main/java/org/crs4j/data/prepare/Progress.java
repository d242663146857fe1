package org.crs4j.data.prepare;

/** Progress of a long step, for a progress bar; {@link #NONE} ignores it. */
public interface Progress {
    void start(String task, long total);

    void advance(long n);

    void done();

    Progress NONE = new Progress() {
        @Override public void start(String task, long total) {}
        @Override public void advance(long n) {}
        @Override public void done() {}
    };
}

package org.crs4j.autograd;

/**
 * Whether ops record the graph on this thread. {@code try (var off = GradMode.off()) { ... }} runs a block without
 * recording (inference, optimizer updates, evaluation); scopes nest.
 */
public final class GradMode {
    private GradMode() {}

    private static final ThreadLocal<int[]> DISABLED = ThreadLocal.withInitial(() -> new int[1]);

    public static boolean enabled() {
        return DISABLED.get()[0] == 0;
    }

    /** A scope in which no graph is recorded; close it to restore the previous mode. */
    public static Scope off() {
        int[] depth = DISABLED.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /** A no-grad scope that cannot throw on close. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}

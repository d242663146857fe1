package org.crs4j.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The compute thread pool shared by every CPU kernel. Work is split only across independent outputs (rows, blocks),
 * never inside one reduction, so results are bit-identical for any thread count.
 *
 * <p>Threads: system property {@code crs4j.threads}, else the number of available processors.
 */
public final class Parallel {
    private Parallel() {}

    public static final int THREADS = Math.max(1, Integer.getInteger("crs4j.threads",
            Runtime.getRuntime().availableProcessors()));

    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS, pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("crs4j-compute-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }, null, false);

    /** At most this many chunks per forRange call; lowered only by tests that check thread-count independence. */
    private static volatile int maxChunks = THREADS;

    /** Runs {@code body} with forRange limited to {@code chunks} chunks (1 = sequential). For tests. */
    public static <T> T withMaxChunks(int chunks, java.util.function.Supplier<T> body) {
        int saved = maxChunks;
        maxChunks = Math.max(1, chunks);
        try {
            return body.get();
        } finally {
            maxChunks = saved;
        }
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /**
     * Runs {@code body} over [0, n) split into at most {@link #THREADS} contiguous chunks of at least
     * {@code grain} items. The calling thread runs the first chunk itself.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        int chunks = (int) Math.min(maxChunks, (n + (long) Math.max(grain, 1) - 1) / Math.max(grain, 1));
        if (chunks <= 1) {
            if (n > 0) body.run(0, n);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) n * c / chunks), end = (int) ((long) n * (c + 1) / chunks);
            tasks[c - 1] = POOL.submit(() -> body.run(start, end));
        }
        body.run(0, (int) ((long) n / chunks));
        for (ForkJoinTask<?> t : tasks) t.join();
    }

    /** Runs {@code body} for each of {@code tasks} task indices, each on its own, at most {@link #THREADS} at a time. */
    public static void forEachTask(int tasks, java.util.function.IntConsumer body) {
        forRange(tasks, 1, (s, e) -> {
            for (int i = s; i < e; i++) body.accept(i);
        });
    }
}

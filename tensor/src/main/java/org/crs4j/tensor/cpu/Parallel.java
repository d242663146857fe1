package org.crs4j.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The compute thread pool shared by every CPU kernel. Work is split only across independent outputs (rows, blocks),
 * never inside one reduction, so results are bit-identical for any thread count.
 *
 * <p>Threads: system property {@code crs4j.threads}, else the number of available processors.
 *
 * <p>Handing a chunk to a pool thread is not free: the thread is parked between ops, and waking it costs about
 * 10-15 µs on the 2-core development machine (measured: fork and join of an empty chunk, median 12-14 µs; more when
 * the other core is busy with another process). Kernels therefore split only work of at least {@link #MIN_CHUNK_WORK}
 * elements per chunk ({@link #grain}), a few tens of microseconds, so that a second thread never makes an op slower:
 * the small tensors of token-by-token decoding stay on the calling thread.
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

    /**
     * Elements of work (elements read or written by an element-wise op, multiply-adds of a product) below which a
     * chunk is not worth a thread: 2^18, some 30-100 µs of simple element-wise work.
     */
    public static final long MIN_CHUNK_WORK = 1L << 18;

    private static volatile long minChunkWork = MIN_CHUNK_WORK;

    /**
     * The least number of items per chunk when each item costs {@code workPerItem} elements of work: chunks of less
     * than {@link #MIN_CHUNK_WORK} are not split off. (Inside {@link #withMaxChunks} it is 1: tests split even tiny
     * work.)
     */
    public static int grain(long workPerItem) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, minChunkWork / Math.max(1, workPerItem)));
    }

    /** True when {@code work} elements are worth more than one thread (always inside {@link #withMaxChunks}). */
    public static boolean worthSplitting(long work) {
        return work >= 2 * minChunkWork;
    }

    /** How many chunks {@code work} elements are worth, from 1 to {@code max}: one per {@link #MIN_CHUNK_WORK}. */
    public static int chunks(long work, int max) {
        return (int) Math.max(1, Math.min(max, work / minChunkWork));
    }

    /**
     * Runs {@code body} with forRange limited to {@code chunks} chunks (1 = sequential) and with grains of 1, so that
     * even small test inputs are split into that many chunks. For tests of thread-count independence.
     */
    public static <T> T withMaxChunks(int chunks, java.util.function.Supplier<T> body) {
        int saved = maxChunks;
        long savedWork = minChunkWork;
        maxChunks = Math.max(1, chunks);
        minChunkWork = 1;
        try {
            return body.get();
        } finally {
            maxChunks = saved;
            minChunkWork = savedWork;
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

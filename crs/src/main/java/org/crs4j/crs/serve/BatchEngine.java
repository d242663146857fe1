package org.crs4j.crs.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.crs4j.autograd.GradMode;
import org.crs4j.models.generation.ContextWindow;
import org.crs4j.models.generation.DecodingSession;
import org.crs4j.models.generation.TokenDecoder;

/**
 * Decodes a model's concurrent requests together: one thread per model takes waiting jobs, gathers up to
 * {@link ServeLimits#maxBatch()} rows (waiting after the first for others to join: {@link #gatherNanos()}),
 * prefills them as one left-padded batch and then advances every row by one token per forward pass
 * of the KV-cached {@link DecodingSession} — the weights are read once per step for the whole batch instead of once
 * per request, which is where the throughput gain comes from on a memory-bound CPU.
 *
 * <p>Batches are static: rows that arrive while a batch runs wait for the next one, and a row that finishes early
 * (its stop token, its max_tokens, its client gone) stops producing output and frees its slot at once, but the
 * session keeps computing it until the batch's last row ends. Each row has its own sampler, seed, stop tokens, stop
 * strings and token budget, so a row computes what it would alone (left padding is masked; see models/README.md).
 *
 * <p>Bounds: at most {@code maxBatch + maxQueue} rows admitted (generating or waiting); beyond that
 * {@link #submit} refuses with 429 and a {@code Retry-After} estimated from recent batch times. A batch's session
 * (KV cache for rows × (longest prompt + largest max_tokens) positions, logits, prompt activations) stays within a
 * byte budget, and a decoder-only batch within the model's context: a request that would push it over waits for the
 * next batch, and one that alone exceeds the budget is refused. Jobs past their deadline fail with a
 * timeout, in the queue or between two decoding steps.
 */
public final class BatchEngine implements AutoCloseable {
    private final String name;
    private final TokenDecoder decoder;
    private final ServeLimits limits;
    private final long sessionBudget;
    private final ContextWindow context;
    private final Thread worker;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Deque<GenerationJob> queue = new ArrayDeque<>();
    private int queuedRows, activeRows;
    private volatile boolean closed;

    // statistics (under lock)
    private long batches, batchRows, largestBatch;
    private double recentBatchSeconds = 1;
    /** Recent time of one forward pass (prefill counted as one): sets how long an idle model waits for company. */
    private volatile double recentStepSeconds = 0;
    /** The longest an idle model waits for more requests, however slow its steps. */
    static final long MAX_GATHER_NANOS = 250_000_000L;

    /**
     * @param decoder            the model's {@code LanguageModel.decoder()}: all the engine needs of it
     * @param sessionBudget      the most one batch's session may allocate ({@link ServeLimits#kvBudgetBytes}), as
     *                           {@link TokenDecoder#sessionBytes} counts it
     */
    public BatchEngine(String name, TokenDecoder decoder, ServeLimits limits, long sessionBudget) {
        this.name = name;
        this.decoder = decoder;
        this.limits = limits;
        this.sessionBudget = sessionBudget;
        this.context = decoder.context();
        this.worker = Thread.ofPlatform().name("crs4j-serve-" + name).daemon(true).unstarted(this::loop);
        worker.start();
    }

    /** Admits all of a job's rows or none: 429 when generating + waiting rows would exceed the bounds. */
    public void submit(GenerationJob job) {
        int rows = job.rows().size();
        if (rows > limits.maxBatch()) {
            throw ApiError.invalid("n", "this request needs " + rows + " generations (prompts x n), above the batch size " + limits.maxBatch());
        }
        long bytes = Shape.of(job).bytes(decoder);
        if (bytes > sessionBudget) {
            throw ApiError.invalid("max_tokens", String.format("this request needs %.0f MiB of KV cache and activations (%d rows x %d"
                    + " positions), above this server's budget of %.0f MiB per batch; ask for fewer tokens or choices", bytes / 1048576.0,
                    rows, Shape.of(job).positions(), sessionBudget / 1048576.0));
        }
        lock.lock();
        try {
            if (closed) throw ApiError.unavailable("the server is shutting down");
            if (activeRows + queuedRows + rows > limits.maxBatch() + limits.maxQueue()) {
                int waits = (int) Math.ceil((double) (queuedRows + rows) / limits.maxBatch());
                int retry = (int) Math.min(60, Math.max(1, Math.ceil(recentBatchSeconds * waits)));
                throw ApiError.busy(retry, "model " + name + " is busy: " + activeRows + " generations running and " + queuedRows
                        + " waiting (limits " + limits.maxBatch() + " and " + limits.maxQueue() + "); retry after " + retry + " s");
            }
            queue.addLast(job);
            queuedRows += rows;
            job.onCancel(() -> dequeue(job));
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    /** A cancelled job still waiting leaves the queue at once (running rows are dropped by the worker). */
    private void dequeue(GenerationJob job) {
        lock.lock();
        try {
            if (queue.remove(job)) queuedRows -= job.rows().size();
        } finally {
            lock.unlock();
        }
    }

    /** Rows generating now. */
    public int activeRows() {
        lock.lock();
        try {
            return activeRows;
        } finally {
            lock.unlock();
        }
    }

    /** Rows waiting for a batch. */
    public int queuedRows() {
        lock.lock();
        try {
            return queuedRows;
        } finally {
            lock.unlock();
        }
    }

    /** Counters since start: batches run, rows decoded, the widest batch. */
    public record Stats(long batches, long rows, long largestBatch) {}

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(batches, batchRows, largestBatch);
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (true) {
            List<GenerationJob> batch;
            try {
                batch = gather();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) return;
            run(batch);
        }
    }

    /** Blocks for a first job, then takes whatever else fits within the gathering window. Null once closed. */
    private List<GenerationJob> gather() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty() && !closed) arrived.await();
            if (closed) return null;
            List<GenerationJob> batch = new ArrayList<>();
            int rows = 0;
            Shape shape = Shape.EMPTY;
            long windowEnd = System.nanoTime() + gatherNanos();
            while (true) {
                GenerationJob next = queue.peekFirst();
                if (next != null) {
                    int n = next.rows().size();
                    Shape grown = shape.with(Shape.of(next));
                    // too many rows, a session over budget, or (decoder-only) the longest prompt plus the longest
                    // budget beyond the context, which the session's cache would need: it leads the next batch
                    if (rows + n > limits.maxBatch() || (!batch.isEmpty() && (grown.bytes(decoder) > sessionBudget || !fits(grown)))) break;
                    queue.pollFirst();
                    queuedRows -= n;
                    if (next.cancelled()) continue;
                    if (System.nanoTime() > next.deadlineNanos()) {
                        next.fail(ApiError.timeout("the request waited past the server's time limit of "
                                + limits.requestTimeout().toSeconds() + " s without starting (the model is busy)"));
                        continue;
                    }
                    batch.add(next);
                    shape = grown;
                    rows += n;
                    activeRows += n;
                    if (rows == limits.maxBatch()) break;
                    continue;
                }
                long left = windowEnd - System.nanoTime();
                if (left <= 0 || closed) break;
                arrived.awaitNanos(left);
            }
            // booked when the batch is formed, so the statistics hold every batch whose answers a client may already have
            if (rows > 0) {
                batches++;
                batchRows += rows;
                largestBatch = Math.max(largestBatch, rows);
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A decoder-only session allocates every row for the longest prompt plus the largest token budget, and the model
     * refuses a session past its context: rows that fit alone may not fit together.
     */
    private boolean fits(Shape shape) {
        return context.encoderDecoder() || (long) shape.longestPrompt() + shape.maxNew() <= context.length();
    }

    /**
     * What a batch's session holds: rows × (longest prompt + largest token budget) positions, since left padding
     * aligns every row on the longest prompt and the cache is allocated for the longest run.
     */
    private record Shape(int rows, int longestPrompt, int maxNew) {
        static final Shape EMPTY = new Shape(0, 0, 0);

        static Shape of(GenerationJob job) {
            int longest = 0, maxNew = 0;
            for (GenerationJob.Row r : job.rows()) {
                longest = Math.max(longest, r.prompt.length);
                maxNew = Math.max(maxNew, r.config.maxNewTokens());
            }
            return new Shape(job.rows().size(), longest, maxNew);
        }

        Shape with(Shape o) {
            return new Shape(rows + o.rows, Math.max(longestPrompt, o.longestPrompt), Math.max(maxNew, o.maxNew));
        }

        int positions() {
            return longestPrompt + maxNew;
        }

        long bytes(TokenDecoder decoder) {
            return decoder.sessionBytes(rows, longestPrompt, maxNew);
        }
    }

    /**
     * How long an idle model waits after a first request for others to join its batch: the configured window, or half
     * of a recent decoding step when that is longer (at most {@link #MAX_GATHER_NANOS}). A request that misses a batch
     * waits for the whole batch, many steps; waiting half a step for company costs the first request little on a
     * slow model and nothing noticeable on a fast one (whose steps are shorter than the configured window).
     */
    long gatherNanos() {
        long half = (long) (recentStepSeconds * 0.5e9);
        return Math.max(limits.gatherWindow().toNanos(), Math.min(MAX_GATHER_NANOS, half));
    }

    /** Prefills the batch and decodes until every row has ended. */
    private void run(List<GenerationJob> jobs) {
        List<GenerationJob.Row> rows = new ArrayList<>();
        List<GenerationJob> owner = new ArrayList<>();
        for (GenerationJob j : jobs) {
            for (GenerationJob.Row r : j.rows()) {
                rows.add(r);
                owner.add(j);
            }
        }
        if (rows.isEmpty()) return;
        long start = System.nanoTime();
        int b = rows.size(), maxNew = 0;
        int[][] prompts = new int[b][];
        for (int i = 0; i < b; i++) {
            prompts[i] = rows.get(i).prompt;
            maxNew = Math.max(maxNew, rows.get(i).config.maxNewTokens());
        }
        boolean[] released = new boolean[b];
        int vocab = decoder.vocabSize();
        int steps = 1;
        try (var off = GradMode.off()) {
            DecodingSession session = decoder.start(prompts, maxNew);
            int[] next = new int[b];
            while (true) {
                float[] logits = session.logits().toFloatArray();
                long now = System.nanoTime();
                int live = 0;
                for (int i = 0; i < b; i++) {
                    GenerationJob.Row row = rows.get(i);
                    GenerationJob job = owner.get(i);
                    if (!row.done) {
                        if (job.cancelled()) {
                            row.done = true;
                        } else if (now > job.deadlineNanos()) {
                            job.fail(ApiError.timeout("generation ran past the server's time limit of "
                                    + limits.requestTimeout().toSeconds() + " s"));
                        } else {
                            next[i] = row.sampler.next(logits, i * vocab, vocab);
                            job.accept(row, next[i]);
                        }
                    }
                    if (row.done) release(released, i);
                    else live++;
                }
                if (live == 0) break;
                if (closed) {
                    for (GenerationJob j : jobs) j.fail(ApiError.unavailable("the server is shutting down"));
                    break;
                }
                session.append(next); // finished rows repeat a token nobody reads
                steps++;
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            for (GenerationJob j : jobs) j.fail(ApiError.internal("generation failed: " + why));
        } finally {
            for (int i = 0; i < b; i++) release(released, i);
            lock.lock();
            try {
                double seconds = (System.nanoTime() - start) / 1e9;
                recentBatchSeconds = 0.7 * recentBatchSeconds + 0.3 * seconds;
                recentStepSeconds = recentStepSeconds == 0 ? seconds / steps : 0.7 * recentStepSeconds + 0.3 * seconds / steps;
            } finally {
                lock.unlock();
            }
        }
    }

    private void release(boolean[] released, int i) {
        if (released[i]) return;
        released[i] = true;
        lock.lock();
        try {
            activeRows--;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the worker: waiting jobs fail with 503, a running batch ends after its current step. Waits up to 5 s for
     * that step; {@link #stopped()} says whether the worker is done (only then may the model be closed).
     */
    @Override
    public void close() {
        List<GenerationJob> left;
        lock.lock();
        try {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
            queuedRows = 0;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        for (GenerationJob j : left) j.fail(ApiError.unavailable("the server is shutting down"));
        worker.interrupt();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True once the worker thread has ended (after {@link #close()}). */
    public boolean stopped() {
        return !worker.isAlive();
    }
}

package org.crs4j.crs.serve;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.crs4j.models.generation.GenerationConfig;
import org.crs4j.models.generation.Sampler;
import org.crs4j.models.tokenizer.DecodeStream;

/**
 * One request's generations (its rows: prompts × n), submitted to a model's {@link BatchEngine} as a unit and read
 * back by the HTTP thread as a stream of {@link Event}s. The engine thread only appends events (never blocks on the
 * network), so a slow client cannot stall the batch it shares with others; a client that goes away calls
 * {@link #cancel()} and its rows stop at the next decoding step.
 */
public final class GenerationJob {
    /** What the HTTP side reads. {@code row} is the row's index within this job. */
    public sealed interface Event permits Text, Finished, Failed {}

    /** Text that is certain to be part of row's output (stop strings already cut). */
    public record Text(int row, String text) implements Event {}

    /** Row ended: {@code reason} is OpenAI's finish_reason ({@code stop} or {@code length}). */
    public record Finished(int row, String reason, int completionTokens) implements Event {}

    /** The job cannot complete (timeout, model failure, shutdown); no more events follow. */
    public record Failed(ApiError error) implements Event {}

    /** One prompt's generation: its settings and the per-row decoding state the engine advances. */
    public static final class Row {
        final int index;
        final int[] prompt;
        final GenerationConfig config;
        final Sampler sampler;
        final DecodeStream text;
        final StopStrings stops;
        int tokens;
        boolean done;

        /**
         * @param config its maxNewTokens, temperature, topP, seed and stop tokens are this row's (beams are ignored)
         * @param text   decodes this row's tokens (a LLaMA stream is primed with the prompt's last token)
         */
        public Row(int index, int[] prompt, GenerationConfig config, DecodeStream text, List<String> stopStrings) {
            if (prompt.length == 0) throw new IllegalArgumentException("row " + index + ": empty prompt");
            if (config.maxNewTokens() < 1) throw new IllegalArgumentException("row " + index + ": max new tokens must be >= 1");
            this.index = index;
            this.prompt = prompt.clone();
            this.config = config;
            this.sampler = new Sampler(config);
            this.text = text;
            this.stops = new StopStrings(stopStrings);
        }

        public int promptTokens() {
            return prompt.length;
        }
    }

    private final List<Row> rows;
    private final long deadlineNanos;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;
    private volatile Runnable onCancel = () -> {};

    /** @param deadlineNanos {@link System#nanoTime()} after which the job fails with a timeout */
    public GenerationJob(List<Row> rows, long deadlineNanos) {
        if (rows.isEmpty()) throw new IllegalArgumentException("a job needs at least one row");
        this.rows = List.copyOf(rows);
        this.deadlineNanos = deadlineNanos;
    }

    public List<Row> rows() {
        return rows;
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    /**
     * The client is gone or no longer wants the answer: the rows stop at the next step and free their slots, and
     * whoever waits for events gets a Failed one at once.
     */
    public void cancel() {
        if (cancelled) return;
        cancelled = true;
        onCancel.run();
        events.add(new Failed(ApiError.unavailable("the request was cancelled")));
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** The next event, or null when none came within the timeout. */
    public Event next(long timeout, TimeUnit unit) throws InterruptedException {
        return events.poll(timeout, unit);
    }

    void onCancel(Runnable r) {
        onCancel = r;
        if (cancelled) r.run();
    }

    void emit(Event e) {
        events.add(e);
    }

    // ------------------------------------------------------------------ advanced by the engine thread only

    /** Takes the token sampled for row r; emits its text and, when the row ends, its Finished event. */
    void accept(Row r, int token) {
        r.tokens++;
        if (r.config.isStop(token)) {
            // the stop token (EOS, <|im_end|>...) ends the row; it prints nothing
            finish(r, drain(r), "stop");
            return;
        }
        String out = r.stops.push(r.text.next(token));
        if (r.stops.stopped()) {
            finish(r, out, "stop");
        } else if (r.tokens >= r.config.maxNewTokens()) {
            finish(r, out + drain(r), r.stops.stopped() ? "stop" : "length");
        } else if (!out.isEmpty()) {
            emit(new Text(r.index, out));
        }
    }

    /** Whatever the decoder and the stop matcher still hold. */
    private static String drain(Row r) {
        String out = r.stops.push(r.text.flush());
        return out + r.stops.flush();
    }

    private void finish(Row r, String lastText, String reason) {
        if (!lastText.isEmpty()) emit(new Text(r.index, lastText));
        r.done = true;
        emit(new Finished(r.index, reason, r.tokens));
    }

    /** Ends every unfinished row with an error (once). */
    void fail(ApiError error) {
        boolean any = false;
        for (Row r : rows) {
            if (!r.done) {
                r.done = true;
                any = true;
            }
        }
        if (any) emit(new Failed(error));
    }
}

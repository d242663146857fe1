package org.crs4j.models.generation;

import org.crs4j.tensor.Tensor;

/**
 * What every model's {@link DecodingSession} shares: the batch of rows, the latest logits, the argument checks of
 * append and reorder, and moving the logits' rows on reorder. A model writes only how its cache takes a token
 * ({@link #appendRows}) and moves its rows ({@link #reorderRows}).
 */
public abstract class BatchSession implements DecodingSession {
    protected final int batch;
    /** [batch, vocab] logits for the next token; set by the subclass after each step. */
    protected Tensor logits;

    /**
     * Checks what every model checks of a generation request; {@code prompts.length} rows. Prompts that do not fit the
     * model's context with {@code maxNewTokens} more tokens are refused here too, so that a caller starting sessions
     * itself (a server batching requests) cannot run past the positions the model was trained on.
     */
    protected BatchSession(int[][] prompts, int maxNewTokens) {
        this(prompts, maxNewTokens, ContextWindow.UNLIMITED); // a decoder without a trained position limit
    }

    /** As {@link #BatchSession(int[][], int)}, refusing prompts that do not fit {@code context}. */
    protected BatchSession(int[][] prompts, int maxNewTokens, ContextWindow context) {
        if (prompts.length == 0) throw new IllegalArgumentException("no prompts");
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        context.fit(prompts, maxNewTokens, false);
        batch = prompts.length;
    }

    /** Positions the session's cache holds in all. */
    protected abstract int capacity();

    /** Appends one (already checked) token per row and sets {@link #logits}. */
    protected abstract void appendRows(int[] tokens);

    /** Moves the cache's rows ({@code index}: the same rows as an I64 tensor); the logits are moved here. */
    protected abstract void reorderRows(int[] rows, Tensor index);

    @Override
    public final int batch() {
        return batch;
    }

    @Override
    public final Tensor logits() {
        return logits;
    }

    @Override
    public final void append(int[] tokens) {
        if (tokens.length != batch) throw new IllegalArgumentException(tokens.length + " tokens for a batch of " + batch);
        if (remaining() <= 0) throw new IllegalStateException("decoding session is full (" + capacity() + " positions)");
        appendRows(tokens);
    }

    @Override
    public final void reorder(int[] rows) {
        if (rows.length != batch) throw new IllegalArgumentException("reorder needs " + batch + " rows, got " + rows.length);
        Tensor index = rowIndex(rows);
        reorderRows(rows, index);
        logits = logits.indexSelect(0, index);
    }

    /** Row numbers as a 1-d I64 tensor, for indexSelect. */
    public static Tensor rowIndex(int[] rows) {
        long[] idx = new long[rows.length];
        for (int i = 0; i < rows.length; i++) idx[i] = rows[i];
        return Tensor.of(idx, rows.length);
    }
}

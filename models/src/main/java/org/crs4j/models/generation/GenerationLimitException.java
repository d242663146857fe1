package org.crs4j.models.generation;

/**
 * A generation or scoring request refused before any work because it exceeds a limit of the model or the machine;
 * the message gives the numbers. A server answers it as a bad request (OpenAI's {@code context_length_exceeded} for
 * {@link Limit#CONTEXT_LENGTH}); a command line prints it with the option to change.
 */
public final class GenerationLimitException extends IllegalArgumentException {
    /** Which limit was exceeded. */
    public enum Limit {
        /** Prompt plus new tokens (or prompt plus target, when scoring) exceed the positions the model was trained on. */
        CONTEXT_LENGTH,
        /** More beams than the vocabulary has tokens. */
        BEAMS,
        /** What the request certainly allocates exceeds the JVM's maximum heap. */
        MEMORY
    }

    private final Limit limit;
    private final long requested, allowed;

    /**
     * @param requested what was asked for (positions, beams, bytes)
     * @param allowed   the limit (the context length, the vocabulary size, the maximum heap)
     */
    public GenerationLimitException(Limit limit, long requested, long allowed, String message) {
        super(message);
        this.limit = limit;
        this.requested = requested;
        this.allowed = allowed;
    }

    public Limit limit() {
        return limit;
    }

    public long requested() {
        return requested;
    }

    public long allowed() {
        return allowed;
    }
}

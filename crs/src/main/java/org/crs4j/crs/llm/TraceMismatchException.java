package org.crs4j.crs.llm;

/**
 * A replayed run asked for a call its trace does not hold. Unlike other {@link LlmException}s it is never a counted
 * fallback: the run is not the one that was recorded, so its figures would mean nothing.
 */
public final class TraceMismatchException extends LlmException {
    public TraceMismatchException(String message) {
        super(message);
    }
}

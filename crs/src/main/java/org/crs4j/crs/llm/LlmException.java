package org.crs4j.crs.llm;

/** A model or endpoint could not answer; the message is one line naming the endpoint and what went wrong. */
public class LlmException extends RuntimeException {
    public LlmException(String message) {
        super(message);
    }

    public LlmException(String message, Throwable cause) {
        super(message, cause);
    }
}

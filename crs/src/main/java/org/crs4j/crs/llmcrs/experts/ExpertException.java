package org.crs4j.crs.llmcrs.experts;

/** An expert could not execute a call; the message is one line naming the expert or endpoint. */
public class ExpertException extends RuntimeException {
    public ExpertException(String message) { super(message); }

    public ExpertException(String message, Throwable cause) { super(message, cause); }
}

package org.crs4j.data.model;

/** A dataset or one of its required files is not in the data directory; the message says what to do about it. */
public final class MissingDataException extends RuntimeException {
    public MissingDataException(String message) { super(message); }
}

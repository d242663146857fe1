package org.crs4j.models.hub;

import java.io.IOException;

/** A model or file that cannot be had from the Hub or its cache; the message names the repository and the file. */
public final class HubException extends IOException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}

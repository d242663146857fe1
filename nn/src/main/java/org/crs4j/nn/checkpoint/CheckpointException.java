package org.crs4j.nn.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint that does not match the run loading it, or is malformed; the message names the file and the entry. */
public final class CheckpointException extends IOException {
    private final Path file;
    private final String entry;

    public CheckpointException(Path file, String entry, String problem) {
        super(file + ": " + entry + ": " + problem);
        this.file = file;
        this.entry = entry;
    }

    public Path file() {
        return file;
    }

    /** The tensor name or metadata field at fault. */
    public String entry() {
        return entry;
    }
}

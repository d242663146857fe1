package org.crs4j.models;

import java.nio.file.Path;
import org.crs4j.io.FileFormatException;

/** A model file that cannot be used: the message names the file and, where it applies, the field or tensor. */
public final class ModelFormatException extends FileFormatException {
    public ModelFormatException(Path file, String what) {
        super(file, what);
    }

    public ModelFormatException(Path file, String what, Throwable cause) {
        super(file, what, cause);
    }
}

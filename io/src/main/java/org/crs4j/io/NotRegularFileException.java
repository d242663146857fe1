package org.crs4j.io;

import java.nio.file.FileSystemException;

/** A path that names a named pipe, device or socket where crs4j needs a regular file or folder. */
public final class NotRegularFileException extends FileSystemException {
    public NotRegularFileException(String file, String reason) {
        super(file, null, reason);
    }
}

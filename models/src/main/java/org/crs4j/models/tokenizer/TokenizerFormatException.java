package org.crs4j.models.tokenizer;

import java.nio.file.Path;
import org.crs4j.io.FileFormatException;

/** A tokenizer file that cannot be read: the message names the file and what is wrong where. */
public final class TokenizerFormatException extends FileFormatException {
    public TokenizerFormatException(Path file, String what) {
        super(file, what);
    }

    public TokenizerFormatException(Path file, String what, Throwable cause) {
        super(file, what, cause);
    }
}

package org.crs4j.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file whose content cannot be used. The message is one line that starts with the file, then says where and what:
 * {@code config.json: vocab_size: 2000000000, but model.embed_tokens.weight in model.safetensors has 512 rows}. The
 * format-specific exceptions (model, tokenizer, safetensors) extend it, so a caller can catch every malformed input
 * at once and a test can check that each one names its file.
 */
public class FileFormatException extends IOException {
    private final Path file;
    private final String what;

    public FileFormatException(Path file, String what) {
        this(file, what, null);
    }

    public FileFormatException(Path file, String what, Throwable cause) {
        super(file + ": " + Problems.oneLine(what), cause);
        this.file = file;
        this.what = Problems.oneLine(what);
    }

    /** What is wrong, without the file name (to re-throw it as a more specific format's exception). */
    public String what() {
        return what;
    }

    /** The malformed file. */
    public Path file() {
        return file;
    }
}

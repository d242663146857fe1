package org.crs4j.tensor.io;

import java.nio.file.Path;
import org.crs4j.io.FileFormatException;

/**
 * A safetensors file or sharded index that breaks the format. The message names the file, and where it applies the
 * tensor and the header field, so that one line tells a user what is wrong and where:
 * {@code model.safetensors: tensor "lm_head.weight": shape: 3 x 4 F32 is 48 bytes but data_offsets span 40}.
 */
public final class SafetensorsFormatException extends FileFormatException {
    private final String tensor;
    private final String field;

    /**
     * @param file   the file that is malformed
     * @param tensor the tensor entry concerned, or null for file-level problems
     * @param field  the header field concerned ("shape", "data_offsets", "__metadata__", ...), or null
     * @param problem what is wrong, as a sentence fragment without the file name
     */
    public SafetensorsFormatException(Path file, String tensor, String field, String problem) {
        this(file, tensor, field, problem, null);
    }

    public SafetensorsFormatException(Path file, String tensor, String field, String problem, Throwable cause) {
        super(file, format(tensor, field, problem), cause);
        this.tensor = tensor;
        this.field = field;
    }

    private static String format(String tensor, String field, String problem) {
        StringBuilder sb = new StringBuilder();
        if (tensor != null) sb.append("tensor ").append(quote(tensor)).append(": ");
        if (field != null) sb.append(field).append(": ");
        return sb.append(problem).toString();
    }

    /** A name in double quotes with control characters escaped, so that a hostile name cannot break the line. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        int shown = Math.min(s.length(), 200);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        if (shown < s.length()) sb.append("...");
        return sb.append('"').toString();
    }

    /** The tensor whose entry is malformed, or null when the problem is not about one tensor. */
    public String tensor() {
        return tensor;
    }

    /** The header field concerned, or null. */
    public String field() {
        return field;
    }
}

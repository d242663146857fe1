package org.crs4j.data.io;

/**
 * A record that does not have the shape its format promises. The message always names the file, the line or record,
 * and the field, so that a researcher can open the file at that spot: {@code test_data.jsonl line 12, field
 * messages[3].text: expected a string, got 42}.
 */
public final class MalformedDataException extends RuntimeException {
    private final String file;
    private final String location;
    private final String field;

    public MalformedDataException(String file, String location, String field, String problem) {
        this(file, location, field, problem, null);
    }

    public MalformedDataException(String file, String location, String field, String problem, Throwable cause) {
        super(format(file, location, field, problem), cause);
        this.file = file;
        this.location = location;
        this.field = field;
    }

    private static String format(String file, String location, String field, String problem) {
        StringBuilder sb = new StringBuilder(file);
        if (location != null && !location.isEmpty()) sb.append(' ').append(location);
        if (field != null && !field.isEmpty()) sb.append(", field ").append(field);
        return sb.append(": ").append(problem).toString();
    }

    /** The file, as the reader was told to call it (usually relative to the data directory). */
    public String file() { return file; }

    /** "line N" or "record N" (1-based), or empty for whole-file problems. */
    public String location() { return location; }

    /** The offending field, as a JSON-path-like string ({@code messages[3].text}); empty when a whole line is bad. */
    public String field() { return field; }
}

package org.crs4j.data.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;

/**
 * Reads a text file line by line with 1-based line numbers, reporting undecodable UTF-8 and gzip corruption as a
 * {@link MalformedDataException} at the line where it happened.
 */
public final class TextLines {

    /** Receives each line; may throw {@link MalformedDataException} for a bad record. */
    @FunctionalInterface
    public interface LineConsumer {
        void accept(String line, int lineNumber);
    }

    private TextLines() {}

    /**
     * Calls {@code consumer} for every line; malformed lines go to {@code report} (skipped in lenient mode).
     * Blank lines are passed on too; the consumer decides whether they matter.
     */
    public static void forEach(DataFile file, ReadReport report, LineConsumer consumer) {
        int lineNumber = 0;
        try (BufferedReader in = file.reader()) {
            while (true) {
                String line;
                try {
                    line = in.readLine();
                } catch (CharacterCodingException e) {
                    throw file.error("line " + (lineNumber + 1), "", "invalid UTF-8");
                }
                if (line == null) break;
                lineNumber++;
                try {
                    consumer.accept(line, lineNumber);
                } catch (MalformedDataException e) {
                    report.malformed(e);
                }
            }
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw file.error("line " + (lineNumber + 1), "", "corrupt or truncated gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(file.displayName() + ": " + e.getMessage(), e);
        }
    }

    /** Reads every line into a list (for small files such as relation lists). */
    public static java.util.List<String> readAll(DataFile file) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        forEach(file, ReadReport.strict(), (line, n) -> lines.add(line));
        return lines;
    }

}

package org.crs4j.data.io;

import java.io.IOException;
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
        // Lines are split as bytes and decoded one by one, so an invalid UTF-8 sequence is reported at its own line
        // (a decoding Reader would report it wherever its read-ahead buffer happened to be).
        var decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        int lineNumber = 0;
        try (java.io.InputStream in = file.open()) {
            byte[] buf = new byte[1 << 16];
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
            boolean pending = false;
            for (int n; (n = in.read(buf)) > 0; ) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') continue;
                    line.write(buf, start, i - start);
                    start = i + 1;
                    deliver(file, report, consumer, decoder, line, ++lineNumber);
                    pending = false;
                }
                line.write(buf, start, n - start);
                pending = pending || n > start;
            }
            if (pending || line.size() > 0) deliver(file, report, consumer, decoder, line, ++lineNumber);
        } catch (IOException e) {
            throw file.failure("line " + (lineNumber + 1), e);
        }
    }

    private static void deliver(DataFile file, ReadReport report, LineConsumer consumer, java.nio.charset.CharsetDecoder decoder,
                                java.io.ByteArrayOutputStream bytes, int lineNumber) {
        byte[] b = bytes.toByteArray();
        bytes.reset();
        int len = b.length;
        if (len > 0 && b[len - 1] == '\r') len--;
        String line;
        try {
            line = decoder.decode(java.nio.ByteBuffer.wrap(b, 0, len)).toString();
        } catch (CharacterCodingException e) {
            report.malformed(file.error("line " + lineNumber, "", "invalid UTF-8"));
            return;
        }
        try {
            consumer.accept(line, lineNumber);
        } catch (MalformedDataException e) {
            report.malformed(e);
        }
    }

    /** Reads every line into a list (for small files such as relation lists). */
    public static java.util.List<String> readAll(DataFile file) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        forEach(file, ReadReport.strict(), (line, n) -> lines.add(line));
        return lines;
    }

}

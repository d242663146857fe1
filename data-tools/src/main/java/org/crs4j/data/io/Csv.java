package org.crs4j.data.io;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV (and TSV) records: quoted fields may hold separators, doubled quotes and line breaks, so a record can
 * span several physical lines. Each record comes with the line number it starts on, for error messages.
 */
public final class Csv {

    /** Receives one record (its fields) and the 1-based line it starts on. */
    @FunctionalInterface
    public interface RecordConsumer {
        void accept(List<String> fields, int line);
    }

    private Csv() {}

    /** Reads comma-separated, double-quoted records. */
    public static void forEach(DataFile file, ReadReport report, RecordConsumer consumer) {
        forEach(file, ',', true, report, consumer);
    }

    /**
     * Reads {@code separator}-separated records. With {@code quoted} false (plain TSV, as INSPIRED writes it) a quote
     * character is ordinary text.
     */
    public static void forEach(DataFile file, char separator, boolean quoted, ReadReport report, RecordConsumer consumer) {
        Parser p = null;
        try (Reader in = file.reader()) {
            p = new Parser(in, separator, quoted, file);
            List<String> record;
            while ((record = p.next()) != null) {
                try {
                    consumer.accept(record, p.recordLine);
                } catch (MalformedDataException e) {
                    report.malformed(e);
                }
            }
        } catch (IOException e) {
            throw file.failure(p == null ? "" : "line " + p.line, e);
        }
    }

    private static final class Parser {
        private final Reader in;
        private final char sep;
        private final boolean quoted;
        private final DataFile file;
        private final char[] buf = new char[1 << 16];
        private int pos, len;
        private int line = 1;
        int recordLine;

        Parser(Reader in, char sep, boolean quoted, DataFile file) {
            this.in = in;
            this.sep = sep;
            this.quoted = quoted;
            this.file = file;
        }

        private int read() throws IOException {
            if (pos == len) {
                len = in.read(buf, 0, buf.length);
                pos = 0;
                if (len <= 0) { len = 0; return -1; }
            }
            return buf[pos++];
        }

        private int peek() throws IOException {
            int c = read();
            if (c >= 0) pos--;
            return c;
        }

        List<String> next() throws IOException {
            int c = read();
            if (c < 0) return null;
            recordLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean inQuotes = false;
            boolean fieldWasQuoted = false;
            while (true) {
                if (c < 0) {
                    if (inQuotes) throw file.error("line " + recordLine, "column " + (fields.size() + 1),
                            "unterminated quoted field (end of file reached)");
                    fields.add(field.toString());
                    return fields;
                }
                char ch = (char) c;
                if (inQuotes) {
                    if (ch == '"') {
                        if (peek() == '"') { read(); field.append('"'); }
                        else inQuotes = false;
                    } else {
                        if (ch == '\n') line++;
                        field.append(ch);
                    }
                } else if (ch == sep) {
                    fields.add(field.toString());
                    field.setLength(0);
                    fieldWasQuoted = false;
                } else if (ch == '\n' || ch == '\r') {
                    if (ch == '\r' && peek() == '\n') read();
                    line++;
                    fields.add(field.toString());
                    return fields;
                } else if (quoted && ch == '"' && field.isEmpty() && !fieldWasQuoted) {
                    inQuotes = true;
                    fieldWasQuoted = true;
                } else {
                    field.append(ch);
                }
                c = read();
            }
        }
    }
}

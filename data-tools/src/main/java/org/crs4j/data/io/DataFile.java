package org.crs4j.data.io;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.crs4j.io.InputFiles;
import org.crs4j.io.Problems;

/**
 * A data file on disk plus the name errors should call it by. Files may be stored plain or gzip-compressed: a reader
 * asks for {@code train_data.jsonl} and gets {@code train_data.jsonl.gz} when only that exists, decompressed on the fly.
 */
public record DataFile(Path path, String displayName) {

    /** Finds {@code dir/relative} or {@code dir/relative.gz}; the display name starts with {@code root}'s folder name
     * ("redial/raw/test_data.jsonl.gz"), which is how users find it under the data directory. */
    public static Optional<DataFile> find(Path root, String relative) {
        for (String candidate : List.of(relative, relative + ".gz")) {
            Path p = root.resolve(candidate);
            if (Files.exists(p)) { // a folder or FIFO of that name is refused when opened, not taken for "missing"
                Path folder = root.getFileName();
                return Optional.of(new DataFile(p, folder == null ? candidate : folder + "/" + candidate));
            }
        }
        return Optional.empty();
    }

    /** Like {@link #find} but a missing file is an error naming both forms that were looked for. */
    public static DataFile require(Path root, String relative) {
        return find(root, relative).orElseThrow(() -> new UncheckedIOException(new NoSuchFileException(
                root.resolve(relative) + " (or .gz)", null, "missing data file")));
    }

    public static DataFile of(Path path) { return new DataFile(path, path.getFileName().toString()); }

    public boolean gzipped() { return path.getFileName().toString().endsWith(".gz"); }

    /**
     * Raw bytes, gunzipped when the file is a .gz. What is not a regular file (a FIFO, a folder) is refused before it
     * is opened; an empty or headerless .gz file is refused here, naming the file.
     */
    public InputStream open() throws IOException {
        InputStream in;
        try {
            in = new BufferedInputStream(InputFiles.open(path), 1 << 16);
        } catch (IOException e) {
            throw new MalformedDataException(displayName, "", "", Problems.reason(e), e);
        }
        if (!gzipped()) return in;
        try {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        } catch (IOException e) {
            in.close();
            String why = Files.size(path) == 0 ? "empty file, not gzip data" : "not a valid gzip file: " + Problems.reason(e);
            throw new MalformedDataException(displayName, "", "", why, e);
        }
    }

    /**
     * UTF-8 text; an invalid byte sequence is an error naming its line ({@link Utf8Reader}), not silently replaced.
     */
    public BufferedReader reader() throws IOException {
        return new BufferedReader(new Utf8Reader(open(), this), 1 << 16);
    }

    /** A failure reading this file (truncated gzip, an I/O error) as one line naming it and, when known, the line. */
    public MalformedDataException failure(String location, IOException e) {
        boolean gzip = gzipped() && (e instanceof java.util.zip.ZipException || e instanceof java.io.EOFException);
        return new MalformedDataException(displayName, location, "", (gzip ? "corrupt or truncated gzip data: " : "") + Problems.reason(e), e);
    }

    public MalformedDataException error(String location, String field, String problem) {
        return new MalformedDataException(displayName, location, field, problem);
    }

    @Override
    public String toString() { return displayName; }
}

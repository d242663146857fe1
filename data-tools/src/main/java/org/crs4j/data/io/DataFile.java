package org.crs4j.data.io;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

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
            if (Files.isRegularFile(p)) {
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

    /** Raw bytes, gunzipped when the file is a .gz. */
    public InputStream open() throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        if (!gzipped()) return in;
        try {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        } catch (IOException e) {
            in.close();
            throw new MalformedDataException(displayName, "", "", "not a valid gzip file (" + e.getMessage() + ")");
        }
    }

    /** UTF-8 text; invalid byte sequences are an error (reported by the caller with its line), not silently replaced. */
    public BufferedReader reader() throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        return new BufferedReader(new InputStreamReader(open(), decoder), 1 << 16);
    }

    public MalformedDataException error(String location, String field, String problem) {
        return new MalformedDataException(displayName, location, field, problem);
    }

    @Override
    public String toString() { return displayName; }
}

package org.crs4j.crs.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records every call of another {@link Llm} to a JSON Lines trace file ({@link TraceRecord} describes the format):
 * answered and failed calls alike, one line each, appended to what the file already holds and flushed before
 * {@code complete} returns, so a run that dies keeps every call it made. The trace holds the endpoint as
 * {@link Llm#endpoint()} gives it, which never contains an API key.
 */
public final class TracingLlm implements Llm {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Llm inner;
    private final Path file;
    private final OutputStream out;

    /**
     * @throws LlmException naming {@code --trace} and the file when it cannot be opened for appending
     */
    public TracingLlm(Llm inner, Path file) {
        this.inner = inner;
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) throw new LlmException("--trace " + file + ": the folder does not exist");
        if (Files.isDirectory(file)) throw new LlmException("--trace " + file + ": is a folder, not a file");
        try {
            this.out = new FileOutputStream(file.toFile(), true);
        } catch (IOException e) {
            throw new LlmException("--trace " + file + ": cannot open for appending: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public String endpoint() {
        return inner.endpoint();
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        long start = System.nanoTime();
        LlmResponse r;
        try {
            r = inner.complete(request);
        } catch (LlmException e) {
            write(TraceRecord.failed(inner.endpoint(), request, e.getMessage(), System.nanoTime() - start));
            throw e;
        }
        write(TraceRecord.answered(inner.endpoint(), request, r));
        return r;
    }

    private synchronized void write(TraceRecord record) {
        try {
            byte[] line = JSON.writeValueAsBytes(record.toJson(JSON));
            byte[] withNewline = new byte[line.length + 1];
            System.arraycopy(line, 0, withNewline, 0, line.length);
            withNewline[line.length] = '\n';
            out.write(withNewline); // one write per record: a reader never sees half a line from a finished call
            out.flush();
        } catch (IOException e) {
            throw new LlmException("--trace " + file + ": cannot write: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new LlmException("--trace " + file + ": cannot close: " + e.getMessage(), e);
        } finally {
            inner.close();
        }
    }
}

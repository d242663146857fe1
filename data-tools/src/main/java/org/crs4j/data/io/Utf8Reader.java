package org.crs4j.data.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 text that knows which line an invalid byte sequence is on. A decoding {@code InputStreamReader} reads
 * ahead and reports a bad byte wherever its buffer happened to be; this reader decodes the bytes itself and counts the
 * line feeds before the bad sequence, so the error names the line a user must open.
 */
final class Utf8Reader extends Reader {
    private final InputStream in;
    private final DataFile file;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
    private long line = 1; // line of the next byte to decode
    private boolean eof, flushed;

    Utf8Reader(InputStream in, DataFile file) {
        this.in = in;
        this.file = file;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (flushed) return -1;
        CharBuffer out = CharBuffer.wrap(buf, off, len);
        while (true) {
            int start = bytes.position();
            CoderResult r = decoder.decode(bytes, out, eof);
            count(start, bytes.position());
            if (r.isError()) {
                throw file.error("line " + line, "", "invalid UTF-8 (" + r.length() + " undecodable byte" + (r.length() == 1 ? "" : "s") + ")");
            }
            if (out.position() > off) return out.position() - off;
            if (eof) {
                decoder.flush(out);
                flushed = true;
                return out.position() > off ? out.position() - off : -1;
            }
            fill(); // underflow: the decoder needs more bytes
        }
    }

    /** Reads more bytes behind the undecoded ones; sets eof at the end of the stream. */
    private void fill() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) eof = true;
        else bytes.position(bytes.position() + n);
        bytes.flip();
    }

    private void count(int from, int to) {
        byte[] a = bytes.array();
        for (int i = from; i < to; i++) if (a[i] == '\n') line++;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

package org.crs4j.models.cli;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import org.crs4j.models.hub.Hub;
import org.crs4j.models.tokenizer.Tokenizer;
import org.crs4j.models.tokenizer.Tokenizers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code crs4j tokenize}: one line of token ids per input line, like SentencePiece's
 * {@code spm_encode --output_format=id} (no BOS/EOS), or text back from ids with {@code --decode}, like
 * {@code spm_decode --input_format=id}. Lines end at '\n' only, so a '\r' stays part of the text as it does for
 * spm_encode; input and output are UTF-8 whatever the locale.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Token ids of each line of stdin, one line of ids per line (no BOS/EOS added).",
                "With --decode, reads lines of space-separated ids and prints their text."})
public final class TokenizeCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--model", paramLabel = "DIR|ID", description = "model folder (its tokenizer.json, tokenizer.model, "
                + "spiece.model or tokenizer.bin, in that order of precedence) or Hugging Face model id (ORG/NAME: its "
                + "tokenizer files from the HF cache, downloaded when missing)")
        String model;

        @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json, SentencePiece .model or llama2.c tokenizer.bin")
        Path tokenizer;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--revision", paramLabel = "REV", description = "branch, tag or commit of a model id (default: main)")
    String revision;

    @Option(names = "--decode", description = "read ids, print text")
    boolean decode;

    private final InputStream in;
    private final OutputStream out;
    private final Supplier<Hub> hub;

    /** Reads System.in and writes System.out (as they are when the command runs). */
    public TokenizeCommand() {
        this(null, null, Hub::fromEnvironment);
    }

    TokenizeCommand(InputStream in, OutputStream out) {
        this(in, out, Hub::fromEnvironment);
    }

    TokenizeCommand(InputStream in, OutputStream out, Supplier<Hub> hub) {
        this.in = in;
        this.out = out;
        this.hub = hub;
    }

    @Override
    public Integer call() throws IOException {
        Tokenizer tok = source.tokenizer != null ? Tokenizers.fromFile(source.tokenizer) : Tokenizers.forModelFolder(modelFolder(source.model));
        InputStream input = in != null ? in : System.in;
        Writer w = new OutputStreamWriter(new BufferedOutputStream(out != null ? out : System.out, 1 << 16), StandardCharsets.UTF_8);
        LineReader lines = new LineReader(input);
        long lineNo = 0;
        for (String line; (line = lines.next()) != null; ) {
            lineNo++;
            if (decode) w.write(tok.decode(parseIds(line, lineNo, tok)));
            else writeIds(tok.encode(line), w);
            w.write('\n');
            if (lines.interactive()) w.flush();
        }
        w.flush();
        return 0;
    }

    /** A model folder, or the snapshot folder of a Hugging Face model id with its tokenizer files. */
    private Path modelFolder(String spec) throws IOException {
        Path p = ModelLocator.locate(spec, revision, false, hub);
        if (!Files.isDirectory(p)) throw new IOException("--model " + spec + ": not a folder; pass a tokenizer file with --tokenizer");
        return p;
    }

    private static void writeIds(int[] ids, Writer w) throws IOException {
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) w.write(' ');
            w.write(Integer.toString(ids[i]));
        }
    }

    private static int[] parseIds(String line, long lineNo, Tokenizer tok) throws IOException {
        String t = line.strip();
        if (t.isEmpty()) return new int[0];
        String[] parts = t.split("\\s+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IOException("stdin line " + lineNo + ": \"" + parts[i] + "\" is not a token id");
            }
            if (ids[i] < 0 || ids[i] >= tok.vocabSize())
                throw new IOException("stdin line " + lineNo + ": token id " + ids[i] + " is outside the vocabulary [0, "
                        + tok.vocabSize() + ") of " + tok.describe());
        }
        return ids;
    }

    /** Lines split at '\n' only, decoded as UTF-8 (broken bytes become U+FFFD). */
    static final class LineReader {
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int pos, limit;
        private boolean eof;

        LineReader(InputStream in) {
            this.in = in;
        }

        boolean interactive() {
            return System.console() != null && in == System.in;
        }

        String next() throws IOException {
            ByteArrayOutputStream line = null;
            while (true) {
                if (pos == limit) {
                    if (eof) break;
                    limit = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        eof = true;
                        break;
                    }
                }
                int start = pos;
                while (pos < limit && buf[pos] != '\n') pos++;
                if (line == null) line = new ByteArrayOutputStream(Math.max(16, pos - start));
                line.write(buf, start, pos - start);
                if (pos < limit) {
                    pos++; // the '\n'
                    return line.toString(StandardCharsets.UTF_8);
                }
            }
            return line == null || line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
        }
    }
}

package org.crs4j.models.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.crs4j.io.InputFiles;

/**
 * Finds and loads the tokenizer of a model folder or a tokenizer file.
 *
 * <p>In a folder the first of these that exists wins: {@code tokenizer.json} (what Hugging Face's fast tokenizers
 * load by default), {@code tokenizer.model} (LLaMA 1/2 SentencePiece), {@code spiece.model} (T5 SentencePiece),
 * {@code tokenizer.bin} (llama2.c). A file is recognised by its content, not its name: JSON, a SentencePiece
 * {@code ModelProto}, or llama2.c's binary vocabulary.
 */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * Largest tokenizer file read: the biggest published ones (tokenizer.json of 256k-token vocabularies) are under
     * 40 MB, and a JSON tree takes several times its text in memory.
     */
    public static final long MAX_FILE_BYTES = 512L << 20;

    /** File names looked for in a model folder, in order of precedence. */
    public static final List<String> FOLDER_FILES = List.of("tokenizer.json", "tokenizer.model", "spiece.model", "tokenizer.bin");

    /** Loads a model folder's tokenizer, or a tokenizer file. */
    public static Tokenizer load(Path fileOrFolder) throws IOException {
        if (Files.isDirectory(fileOrFolder)) return forModelFolder(fileOrFolder);
        return fromFile(fileOrFolder);
    }

    public static Tokenizer forModelFolder(Path folder) throws IOException {
        return fromFile(findTokenizerFile(folder));
    }

    /** The file {@link #forModelFolder} would load, by the precedence of {@link #FOLDER_FILES}. */
    public static Path findTokenizerFile(Path folder) throws IOException {
        InputFiles.requireFolder(folder);
        for (String name : FOLDER_FILES) {
            Path p = folder.resolve(name);
            if (Files.exists(p)) return p; // a FIFO or folder of that name is refused by fromFile, not skipped
        }
        throw new TokenizerFormatException(folder, "no tokenizer found: expected one of " + String.join(", ", FOLDER_FILES));
    }

    public static Tokenizer fromFile(Path file) throws IOException {
        byte[] head = new byte[64];
        int n;
        try (InputStream in = InputFiles.open(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n == 0) throw new TokenizerFormatException(file, "empty file, not a tokenizer");
        int first = 0;
        while (first < n && Character.isWhitespace(head[first])) first++;
        if (first < n && head[first] == '{') return HfTokenizer.load(file);
        // A ModelProto starts with a length-delimited field 1, 2 or 3 (pieces first, as protobuf writes them); a
        // llama2.c file starts with its little-endian max_token_length, which can look the same (10 = 0x0A).
        boolean maybeProto = head[0] == 0x0A || head[0] == 0x12 || head[0] == 0x1A;
        if (maybeProto) {
            try {
                return SentencePieceTokenizer.load(file);
            } catch (TokenizerFormatException spmError) {
                try {
                    return Llama2cTokenizer.load(file);
                } catch (TokenizerFormatException ignored) {
                    throw spmError;
                }
            }
        }
        try {
            return Llama2cTokenizer.load(file);
        } catch (TokenizerFormatException e) {
            throw new TokenizerFormatException(file, "not a tokenizer.json, SentencePiece .model or llama2.c tokenizer.bin"
                    + " (read as tokenizer.bin: " + e.getMessage().substring(file.toString().length() + 2) + ")");
        }
    }
}

package org.crs4j.tensor.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.crs4j.io.InputFiles;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.crs4j.tensor.Tensor;

/**
 * Read access to tensors stored in the safetensors format: one file ({@link SafetensorsFile}) or a Hugging Face
 * sharded checkpoint ({@link ShardedSafetensors}, through {@code model.safetensors.index.json}). Both memory-map their
 * files and hand out zero-copy tensors in the stored dtype; closing unmaps (see {@link SafetensorsFile} for what that
 * means for tensors already handed out).
 *
 * <pre>{@code
 * try (Safetensors weights = Safetensors.open(modelDir)) {
 *     Tensor embed = weights.tensor("model.embed_tokens.weight");   // BF16 [vocab, dim], no copy
 *     ...
 * }
 * }</pre>
 */
public sealed interface Safetensors extends AutoCloseable permits SafetensorsFile, ShardedSafetensors {

    /** The file name of a sharded checkpoint's index in a Hugging Face model folder. */
    String INDEX_FILE = "model.safetensors.index.json";
    /** The file name of a single-file checkpoint in a Hugging Face model folder. */
    String SINGLE_FILE = "model.safetensors";

    /**
     * Opens a {@code .safetensors} file, a sharded index ({@code *.json}), or a model folder (its
     * {@value #INDEX_FILE} if present, else its {@value #SINGLE_FILE}).
     *
     * @throws SafetensorsFormatException when a file breaks the format
     * @throws IOException when a file cannot be read
     */
    static Safetensors open(Path path) throws IOException {
        if (Files.isDirectory(InputFiles.requireFileOrFolder(path))) {
            // exists, not isRegularFile: a FIFO or folder under these names is refused by name, not skipped
            if (Files.exists(path.resolve(INDEX_FILE))) return ShardedSafetensors.open(path.resolve(INDEX_FILE));
            if (Files.exists(path.resolve(SINGLE_FILE))) return SafetensorsFile.open(path.resolve(SINGLE_FILE));
            throw new NoSuchFileException(path.toString(), null,
                    "folder has neither " + INDEX_FILE + " nor " + SINGLE_FILE);
        }
        if (path.getFileName() != null && path.getFileName().toString().endsWith(".json")) {
            return ShardedSafetensors.open(path);
        }
        return SafetensorsFile.open(path);
    }

    /** The file this was opened from (the index for a sharded checkpoint). */
    Path path();

    /** File-level metadata: a file's {@code __metadata__}, or an index's {@code metadata}. */
    Map<String, String> metadata();

    /** Every tensor, sorted by name. For a sharded checkpoint the byte ranges are relative to each tensor's shard. */
    List<TensorInfo> tensors();

    boolean contains(String name);

    /** @throws NoSuchElementException when there is no such tensor */
    TensorInfo info(String name);

    /** A zero-copy read-only tensor in the stored dtype; see {@link SafetensorsFile#tensor}. */
    Tensor tensor(String name);

    /** Sum of the tensors' element counts. */
    default long parameterCount() {
        long n = 0;
        for (TensorInfo t : tensors()) n += t.numel();
        return n;
    }

    /** Sum of the tensors' byte sizes. */
    default long byteSize() {
        long n = 0;
        for (TensorInfo t : tensors()) n += t.byteSize();
        return n;
    }

    /** Unmaps every file; idempotent. */
    @Override
    void close();
}

package org.crs4j.tensor.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import org.crs4j.io.InputFiles;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;

/**
 * One {@code .safetensors} file, memory-mapped read-only. The header is parsed and the whole layout validated when the
 * file is opened; {@link #tensor} then returns zero-copy tensors over the mapping, in the stored dtype.
 *
 * <p><b>Lifetime.</b> The mapping belongs to a shared {@link Arena} (shared, because compute threads of the
 * {@code Parallel} pool read the weights). {@link #close()} unmaps the file at once. Tensors obtained from this file
 * are views of the mapping: after {@code close()} any access to them throws {@link IllegalStateException} ("Already
 * closed") instead of reading freed memory, so {@code copy()} what must outlive the file. A file that is never
 * closed is unmapped by a {@link Cleaner} once neither it nor any of its tensors is reachable (each tensor's storage
 * references the file). Deterministic close matters for multi-GB checkpoints: address space and page cache are given
 * back when the caller says, not when the GC gets round to it.
 *
 * <p>Mapped tensors are read-only: writing to one throws {@link IllegalArgumentException} ("read-only segment").
 * Element offsets in the file need not be aligned (writers other than ours may leave the header unpadded); CPU
 * storage reads unaligned.
 * If the file is truncated by another process while mapped, the JVM reports an access fault: do not modify a
 * checkpoint in place while it is open (our {@link SafetensorsWriter} replaces files by rename, which is safe).
 */
public final class SafetensorsFile implements Safetensors {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Path path;
    private final MemorySegment bytes;
    private final SafetensorsHeader.Parsed header;
    private final Map<String, TensorInfo> byName;
    private final List<TensorInfo> sorted;
    private final Cleaner.Cleanable unmap;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafetensorsFile(Path path, Arena arena, MemorySegment bytes, SafetensorsHeader.Parsed header) {
        this.path = path;
        this.bytes = bytes;
        this.header = header;
        Map<String, TensorInfo> m = new TreeMap<>();
        for (TensorInfo t : header.tensors()) m.put(t.name(), t);
        this.byName = Collections.unmodifiableMap(m);
        this.sorted = List.copyOf(m.values());
        this.unmap = CLEANER.register(this, new CloseArena(arena));
    }

    /** Closes the arena; holds no reference to the file object, or the Cleaner could never run. */
    private record CloseArena(Arena arena) implements Runnable {
        @Override
        public void run() {
            arena.close();
        }
    }

    /**
     * Maps and validates {@code path}.
     *
     * @throws SafetensorsFormatException when the file breaks the format (the message names file, tensor and field)
     * @throws IOException when the file cannot be read (missing, a directory, no permission)
     */
    public static SafetensorsFile open(Path path) throws IOException {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            // safetensors is little-endian and tensors are zero-copy views in native order.
            throw new UnsupportedOperationException("safetensors tensors are little-endian; this machine is big-endian");
        }
        FileChannel channel = InputFiles.channel(path); // refuses folders, FIFOs and devices before opening
        Arena arena = Arena.ofShared();
        try {
            MemorySegment bytes;
            try (FileChannel ch = channel) {
                bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            } catch (AccessDeniedException e) {
                throw new AccessDeniedException(path.toString(), null, "permission denied");
            }
            return new SafetensorsFile(path, arena, bytes, SafetensorsHeader.parse(path, bytes));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public Path path() {
        return path;
    }

    /** The header's {@code __metadata__}, in file order; empty when absent. */
    @Override
    public Map<String, String> metadata() {
        return header.metadata();
    }

    @Override
    public List<TensorInfo> tensors() {
        return sorted;
    }

    /** The entries in the order the header lists them (the reference writer's order: by dtype size, then name). */
    public List<TensorInfo> tensorsInHeaderOrder() {
        return header.tensors();
    }

    @Override
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo t = byName.get(name);
        if (t == null) throw new NoSuchElementException(path + ": no tensor " + SafetensorsFormatException.quote(name));
        return t;
    }

    /**
     * A zero-copy, read-only, contiguous tensor over the tensor's bytes in the mapping (stored dtype, no conversion).
     *
     * @throws NoSuchElementException when the file has no such tensor
     * @throws IllegalArgumentException when a dim or the element count exceeds 2^31-1 (crs4j tensors are int-indexed)
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public Tensor tensor(String name) {
        TensorInfo t = info(name);
        if (closed.get()) throw new IllegalStateException(path + " is closed");
        int[] shape = t.intShape();
        if (shape == null) {
            throw new IllegalArgumentException(path + ": tensor " + SafetensorsFormatException.quote(name) + " has shape "
                    + java.util.Arrays.toString(t.shape()) + "; crs4j tensors hold at most 2^31-1 elements per dim and in all");
        }
        MemorySegment data = bytes.asSlice(header.dataStart() + t.begin(), t.byteSize());
        return Tensor.of(CpuStorage.wrap(t.dtype(), data, this), shape);
    }

    /** The raw bytes of a tensor in the mapping (read-only). */
    public MemorySegment bytes(String name) {
        TensorInfo t = info(name);
        if (closed.get()) throw new IllegalStateException(path + " is closed");
        return bytes.asSlice(header.dataStart() + t.begin(), t.byteSize());
    }

    /** Size of the JSON header in bytes (the data section starts at byte 8 + this). */
    public long headerLength() {
        return header.headerLength();
    }

    /** Size of the whole file in bytes. */
    public long fileSize() {
        return bytes.byteSize();
    }

    /** Unmaps the file; idempotent. Tensors from this file throw IllegalStateException when accessed afterwards. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) unmap.clean();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + sorted.size() + " tensors]";
    }
}

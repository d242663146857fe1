package org.crs4j.tensor.io;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;

/**
 * Writes tensors to a safetensors file, atomically (see {@link AtomicFiles}): a failure or crash during a save leaves
 * the previous file untouched.
 *
 * <p>The layout is the reference writer's (huggingface/safetensors {@code serialize}), byte for byte: compact JSON
 * header with {@code __metadata__} first (omitted when empty; keys sorted here so output is deterministic), tensors
 * ordered by dtype alignment, largest first, then by name, data offsets contiguous from 0, and the header padded
 * with spaces to a multiple of 8 bytes. Padding plus the largest-first order puts every tensor at a file offset that
 * is a multiple of its element size, so mapped readers get aligned data. For a file of one dtype the order is simply
 * by name.
 *
 * <p>Tensors may be on any device: contiguous CPU ones (heap or mapped) are written straight from their memory;
 * other views, and tensors on a GPU (a training run saving its checkpoint), are copied to contiguous CPU memory one
 * tensor at a time as they are written, so peak extra memory is the largest such tensor.
 */
public final class SafetensorsWriter {
    /** Bytes per write call; also the staging buffer for heap arrays, which cannot be viewed as a ByteBuffer. */
    static final int CHUNK_BYTES = 16 << 20;

    private SafetensorsWriter() {}

    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} and {@code metadata} (the header's {@code __metadata__}) to {@code file}, replacing it
     * atomically.
     *
     * @throws IllegalArgumentException for a null or reserved name ({@code __metadata__}), a null tensor or metadata
     *                                  value, or a Q8_0 tensor
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("safetensors is little-endian; this machine is big-endian");
        }
        List<Map.Entry<String, Tensor>> entries = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name == null) throw new IllegalArgumentException("cannot write " + file + ": a tensor has a null name");
            if (name.equals("__metadata__")) {
                throw new IllegalArgumentException("cannot write " + file + ": \"__metadata__\" is reserved and cannot name a tensor");
            }
            if (t == null) throw new IllegalArgumentException("cannot write " + file + ": tensor \"" + name + "\" is null");
            if (t.dtype() == DType.Q8_0) {
                throw new IllegalArgumentException("cannot write " + file + ": tensor \"" + name + "\" is Q8_0, which "
                        + "safetensors has no dtype for; save it as to(DType.F32) or keep the original checkpoint");
            }
            entries.add(Map.entry(name, t));
        }
        Map<String, String> meta = new TreeMap<>();
        metadata.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException("cannot write " + file + ": metadata has a null key or value (" + k + ")");
            }
            meta.put(k, v);
        });
        entries.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -alignmentRank(e.getValue().dtype()))
                .thenComparing(Map.Entry::getKey, SafetensorsWriter::compareCodePoints));
        byte[] header = header(entries, meta);

        AtomicFiles.write(file, ch -> {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(ch, length);
            writeFully(ch, ByteBuffer.wrap(header));
            try (Arena staging = Arena.ofConfined()) {
                MemorySegment buffer = null;
                for (Map.Entry<String, Tensor> e : entries) {
                    MemorySegment data = contiguousBytes(e.getValue());
                    if (data.isNative()) {
                        writeSegment(ch, data);
                    } else {
                        if (buffer == null) buffer = staging.allocate(CHUNK_BYTES);
                        writeHeapSegment(ch, data, buffer);
                    }
                }
            }
        });
    }

    /**
     * The reference's dtype order (its {@code Dtype} enum, declared in increasing alignment): sorting by it,
     * descending, writes 8-byte types first, then 4-, 2- and 1-byte ones.
     */
    private static int alignmentRank(DType dtype) {
        return switch (dtype) {
            case BOOL -> 0;
            case F16 -> 7;
            case BF16 -> 8;
            case I32 -> 9;
            case F32 -> 11;
            case F64 -> 12;
            case I64 -> 13;
            case Q8_0 -> throw new AssertionError("Q8_0 is refused before sorting");
        };
    }

    /** Name order of the reference (Rust strings compare by UTF-8 bytes, i.e. by code point, not by UTF-16 unit). */
    static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static byte[] header(List<Map.Entry<String, Tensor>> entries, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = SafetensorsHeader.JSON.createGenerator(out)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart("__metadata__");
                for (Map.Entry<String, String> m : metadata.entrySet()) g.writeStringField(m.getKey(), m.getValue());
                g.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, Tensor> e : entries) {
                Tensor t = e.getValue();
                long nbytes = (long) t.numel() * t.dtype().byteSize();
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("dtype", t.dtype().safetensorsName());
                g.writeArrayFieldStart("shape");
                for (int d : t.shape()) g.writeNumber(d);
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + nbytes);
                g.writeEndArray();
                g.writeEndObject();
                offset += nbytes;
            }
            g.writeEndObject();
        }
        int pad = (8 - out.size() % 8) % 8;
        for (int i = 0; i < pad; i++) out.write(' ');
        return out.toByteArray();
    }

    /**
     * The tensor's elements in row-major order, as bytes of its storage (a copy only for non-contiguous views and for
     * tensors on another device, downloaded here).
     */
    private static MemorySegment contiguousBytes(Tensor t) {
        Tensor c = t.toDevice(Device.CPU).contiguous();
        long nbytes = (long) c.numel() * c.dtype().byteSize();
        if (nbytes == 0) return MemorySegment.ofArray(new byte[0]);
        MemorySegment storage = ((CpuStorage) c.storage()).segment();
        return storage.asSlice((long) c.offset() * c.dtype().byteSize(), nbytes);
    }

    private static void writeSegment(FileChannel ch, MemorySegment data) throws IOException {
        for (long off = 0; off < data.byteSize(); off += CHUNK_BYTES) {
            writeFully(ch, data.asSlice(off, Math.min(CHUNK_BYTES, data.byteSize() - off)).asByteBuffer());
        }
    }

    private static void writeHeapSegment(FileChannel ch, MemorySegment data, MemorySegment buffer) throws IOException {
        for (long off = 0; off < data.byteSize(); off += CHUNK_BYTES) {
            long n = Math.min(CHUNK_BYTES, data.byteSize() - off);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, off, buffer, ValueLayout.JAVA_BYTE, 0, n);
            writeFully(ch, buffer.asSlice(0, n).asByteBuffer());
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}

package org.crs4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;

/** Builds safetensors files byte by byte (so tests control every field) and random tensors of every dtype. */
final class TestFiles {
    private TestFiles() {}

    /** 8-byte little-endian length (as given, possibly wrong), header bytes, data. */
    static byte[] bytes(long declaredLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header).put(data);
        return b.array();
    }

    static byte[] bytes(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return bytes(h.length, h, data);
    }

    static Path write(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        return file;
    }

    static Path write(Path file, String header, byte[] data) throws IOException {
        return write(file, bytes(header, data));
    }

    /** A tensor of {@code dtype} with random bit patterns / values covering each type's range. */
    static Tensor random(DType dtype, SplittableRandom rng, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return switch (dtype) {
            case F32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = Float.intBitsToFloat(rng.nextInt()); // NaNs, infinities, subnormals too
                yield Tensor.of(a, shape);
            }
            case F64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) a[i] = Double.longBitsToDouble(rng.nextLong());
                yield Tensor.of(a, shape);
            }
            case BF16, F16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) a[i] = (short) rng.nextInt();
                yield Tensor.of(CpuStorage.ofHalf(dtype, a), shape);
            }
            case I32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = rng.nextInt();
                yield Tensor.of(a, shape);
            }
            case I64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = rng.nextLong();
                yield Tensor.of(a, shape);
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = rng.nextBoolean();
                yield Tensor.ofBool(a, shape);
            }
            case Q8_0 -> throw new IllegalArgumentException("Q8_0 is not a safetensors dtype");
        };
    }

    /** The memory of a contiguous CPU tensor's elements, as stored (little-endian). */
    static MemorySegment rawSegment(Tensor t) {
        long elem = t.dtype().byteSize();
        return ((CpuStorage) t.storage()).segment().asSlice(t.offset() * elem, (long) t.numel() * elem);
    }

    static byte[] rawBytes(Tensor t) {
        return rawSegment(t).toArray(ValueLayout.JAVA_BYTE);
    }

    static void assertSameTensor(Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype());
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()));
        byte[] e = rawBytes(expected), a = rawBytes(actual);
        assertEquals(-1, java.util.Arrays.mismatch(e, a), "bytes differ");
    }
}

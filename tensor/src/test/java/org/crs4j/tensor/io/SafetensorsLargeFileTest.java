package org.crs4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files past 2 GiB: offsets are longs end to end. A sparse file makes this fast and costs no disk. */
class SafetensorsLargeFileTest {
    private static final long BIG_BYTES = 2_200_000_000L; // > 2^31 = 2,147,483,648

    @TempDir Path dir;

    @Test
    void tensorsBeyondTwoGiBAreReadThroughLongOffsets() throws IOException {
        String header = "{\"big\":{\"dtype\":\"BOOL\",\"shape\":[2,1100000000],\"data_offsets\":[0," + BIG_BYTES + "]},"
                + "\"tail\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[" + BIG_BYTES + "," + (BIG_BYTES + 24) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + h.length;
        Path file = dir.resolve("sparse.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(dataStart + BIG_BYTES + 24); // sparse: no blocks are written for the hole
            raf.write(TestFiles.bytes(h.length, h, new byte[0]));
            raf.seek(dataStart + BIG_BYTES - 1);
            raf.write(1); // last element of "big", at a file offset past 2^31
            ByteBuffer tail = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putDouble(-1.5).putDouble(Math.E).putDouble(1e300);
            raf.write(tail.array());
        }
        assertTrue(Files.size(file) > (1L << 31));

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(dataStart + BIG_BYTES + 24, f.fileSize());
            TensorInfo big = f.info("big");
            assertEquals(2_200_000_000L, big.numel());
            assertEquals(BIG_BYTES, big.byteSize());

            Tensor tail = f.tensor("tail");
            CpuStorage s = (CpuStorage) tail.storage();
            assertEquals(-1.5, s.getDouble(0));
            assertEquals(Math.E, s.getDouble(1));
            assertEquals(1e300, s.getDouble(2));
            assertTrue(s.segment().address() - f.bytes("big").address() > Integer.MAX_VALUE);

            // Past int range: listed and reachable as bytes, but not a crs4j Tensor (int-indexed).
            MemorySegment bigBytes = f.bytes("big");
            assertEquals(1, bigBytes.get(ValueLayout.JAVA_BYTE, BIG_BYTES - 1));
            assertEquals(0, bigBytes.get(ValueLayout.JAVA_BYTE, (1L << 31) + 12345));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.tensor("big"));
            assertTrue(e.getMessage().contains("2^31-1") && e.getMessage().contains("big"), e.getMessage());

            // A tensor read past 2 GiB is written back like any other.
            Path out = dir.resolve("tail.safetensors");
            SafetensorsWriter.write(out, Map.of("tail", tail));
            try (SafetensorsFile g = SafetensorsFile.open(out)) {
                TestFiles.assertSameTensor(tail, g.tensor("tail"));
            }
        }
    }
}

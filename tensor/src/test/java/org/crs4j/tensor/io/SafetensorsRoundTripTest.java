package org.crs4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsRoundTripTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = "Q8_0", mode = EnumSource.Mode.EXCLUDE) // not a safetensors dtype
    void everyDtypeRoundTripsBitForBit(DType dtype) throws IOException {
        SplittableRandom rng = new SplittableRandom(dtype.ordinal() * 7919L + 1);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", TestFiles.random(dtype, rng, 7, 13));
        tensors.put("scalar", TestFiles.random(dtype, rng));
        tensors.put("empty", TestFiles.random(dtype, rng, 4, 0, 3));
        tensors.put("v", TestFiles.random(dtype, rng, 1001));
        Path file = dir.resolve("t.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt", "dtype", dtype.safetensorsName()));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt", "dtype", dtype.safetensorsName()), f.metadata());
            assertEquals(List.of("empty", "scalar", "v", "w"), f.tensors().stream().map(TensorInfo::name).toList());
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor back = f.tensor(e.getKey());
                TestFiles.assertSameTensor(e.getValue(), back);
                TensorInfo info = f.info(e.getKey());
                assertEquals(dtype, info.dtype());
                assertEquals((long) e.getValue().numel() * dtype.byteSize(), info.byteSize());
            }
        }
    }

    @Test
    void valuesAreReadInTheirDtype() throws IOException {
        Path file = dir.resolve("v.safetensors");
        short bf16 = (short) 0x3FC0; // 1.5
        short f16 = (short) 0xC500; // -5.0
        SafetensorsWriter.write(file, Map.of(
                "f32", Tensor.of(new float[] {1.25f, -2f}, 2),
                "f64", Tensor.of(new double[] {Math.PI}, 1),
                "bf16", Tensor.of(CpuStorage.ofHalf(DType.BF16, new short[] {bf16}), 1),
                "f16", Tensor.of(CpuStorage.ofHalf(DType.F16, new short[] {f16}), 1),
                "i32", Tensor.of(new int[] {Integer.MIN_VALUE, 7}, 2),
                "i64", Tensor.of(new long[] {Long.MAX_VALUE}, 1),
                "bool", Tensor.ofBool(new boolean[] {true, false, true}, 3)));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(-2f, storage(f, "f32").getFloat(1));
            assertEquals(Math.PI, storage(f, "f64").getDouble(0));
            assertEquals(1.5f, storage(f, "bf16").getFloat(0));
            assertEquals(-5f, storage(f, "f16").getFloat(0));
            assertEquals(Integer.MIN_VALUE, storage(f, "i32").getLong(0));
            assertEquals(Long.MAX_VALUE, storage(f, "i64").getLong(0));
            assertEquals(1, storage(f, "bool").getLong(2));
            assertEquals(0, storage(f, "bool").getLong(1));
        }
    }

    private static CpuStorage storage(SafetensorsFile f, String name) {
        return (CpuStorage) f.tensor(name).storage();
    }

    @Test
    void tensorsAreZeroCopyReadOnlyViewsOfTheMapping() throws IOException {
        Path file = dir.resolve("z.safetensors");
        SafetensorsWriter.write(file, Map.of("a", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), "b", Tensor.vector(5)));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            MemorySegment a1 = ((CpuStorage) f.tensor("a").storage()).segment();
            MemorySegment a2 = ((CpuStorage) f.tensor("a").storage()).segment();
            assertTrue(a1.isMapped(), "tensor is not over the file mapping");
            assertTrue(a1.isReadOnly());
            assertEquals(a1.address(), a2.address(), "two views of one tensor do not share memory");
            assertEquals(f.bytes("a").address(), a1.address());
            assertEquals(16, a1.byteSize());
            assertTrue(f.tensor("a").isContiguous());
            CpuStorage s = (CpuStorage) f.tensor("a").storage();
            assertThrows(IllegalArgumentException.class, () -> s.setFloat(0, 9f)); // "read-only segment"
        }
    }

    @Test
    void layoutFollowsTheReferenceWriterAndAlignsEveryTensor() throws IOException {
        SplittableRandom rng = new SplittableRandom(5);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        String[] names = {"zeta", "alpha", "mid.1", "mid.10", "mid.2", "b"};
        DType[] types = java.util.Arrays.stream(DType.values()).filter(t -> t.safetensorsName() != null).toArray(DType[]::new);
        for (int i = 0; i < 14; i++) {
            DType t = types[i % types.length];
            tensors.put(names[i % names.length] + "." + t, TestFiles.random(t, rng, 1 + rng.nextInt(5), 1 + rng.nextInt(3)));
        }
        Path file = dir.resolve("mixed.safetensors");
        SafetensorsWriter.write(file, tensors);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(0, f.headerLength() % 8, "header not padded to 8 bytes");
            long dataStart = 8 + f.headerLength();
            List<TensorInfo> order = f.tensorsInHeaderOrder();
            List<TensorInfo> expected = new ArrayList<>(order);
            // Reference order: I64, F64, F32, I32, BF16, F16, BOOL, then name.
            List<DType> rank = List.of(DType.I64, DType.F64, DType.F32, DType.I32, DType.BF16, DType.F16, DType.BOOL);
            expected.sort((x, y) -> x.dtype() != y.dtype() ? Integer.compare(rank.indexOf(x.dtype()), rank.indexOf(y.dtype()))
                    : x.name().compareTo(y.name()));
            assertEquals(expected, order);
            long at = 0;
            for (TensorInfo t : order) {
                assertEquals(at, t.begin(), "offsets not contiguous at " + t.name());
                at = t.end();
                assertEquals(0, (dataStart + t.begin()) % t.dtype().byteSize(), t.name() + " is not aligned in the file");
            }
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) TestFiles.assertSameTensor(e.getValue(), f.tensor(e.getKey()));
        }
        // The header is compact JSON followed by spaces only.
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        String json = header.stripTrailing();
        assertFalse(json.contains(" ") || json.contains("\n"), "header JSON is not compact: " + json);
        assertTrue(header.length() - json.length() < 8);
    }

    /** Byte layouts asserted by huggingface/safetensors' own serialization tests (independent implementation). */
    @Test
    void outputIsByteIdenticalToTheReferenceSerializer() throws IOException {
        float[] six = {0, 1, 2, 3, 4, 5};
        assertFile(Map.of("attn.0", Tensor.of(six, 1, 2, 3)), Map.of(),
                "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", six);
        assertFile(Map.of("attn0", Tensor.of(six, 1, 1, 2, 3)), Map.of(),
                "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ", six);
        assertFile(Map.of(), Map.of(), "{}      ", new float[0]);
        assertFile(Map.of(), Map.of("framework", "pt"), "{\"__metadata__\":{\"framework\":\"pt\"}}     ", new float[0]);
    }

    private void assertFile(Map<String, Tensor> tensors, Map<String, String> metadata, String header, float[] data)
            throws IOException {
        Path file = dir.resolve("ref.safetensors");
        SafetensorsWriter.write(file, tensors, metadata);
        ByteBuffer expected = ByteBuffer.allocate(8 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (float v : data) expected.putFloat(v);
        assertArrayEquals(expected.array(), Files.readAllBytes(file));
    }

    @Test
    void viewsWithAnOffsetAreWrittenFromTheirOwnElements() throws IOException {
        float[] v = new float[12];
        for (int i = 0; i < v.length; i++) v[i] = i;
        Tensor m = Tensor.of(v, 4, 3);
        Path file = dir.resolve("views.safetensors");
        SafetensorsWriter.write(file, Map.of("rows12", m.narrow(0, 1, 2), "row3", m.select(0, 3)));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TestFiles.assertSameTensor(Tensor.of(new float[] {3, 4, 5, 6, 7, 8}, 2, 3), f.tensor("rows12"));
            TestFiles.assertSameTensor(Tensor.of(new float[] {9, 10, 11}, 3), f.tensor("row3"));
        }
    }

    @Test
    void nonContiguousViewsAreWrittenInRowMajorOrder() throws IOException {
        Tensor m = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Path file = dir.resolve("strided.safetensors");
        SafetensorsWriter.write(file, Map.of("t", m.transpose(0, 1), "e", Tensor.vector(7).expand(3),
                "bf", m.to(DType.BF16).transpose(0, 1)));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TestFiles.assertSameTensor(Tensor.of(new float[] {0, 3, 1, 4, 2, 5}, 3, 2), f.tensor("t"));
            TestFiles.assertSameTensor(Tensor.of(new float[] {7, 7, 7}, 3), f.tensor("e"));
            TestFiles.assertSameTensor(Tensor.of(new float[] {0, 3, 1, 4, 2, 5}, 3, 2).to(DType.BF16), f.tensor("bf"));
        }
    }

    @Test
    void tensorsLargerThanOneWriteChunkRoundTripFromHeapAndFromAMapping() throws IOException {
        int n = SafetensorsWriter.CHUNK_BYTES / 4 + 12345; // more than one chunk of F32
        float[] v = new float[n];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        Tensor big = Tensor.of(v, n);
        Path heapWritten = dir.resolve("heap.safetensors"), mapWritten = dir.resolve("mapped.safetensors");
        SafetensorsWriter.write(heapWritten, Map.of("big", big));
        try (SafetensorsFile f = SafetensorsFile.open(heapWritten)) {
            TestFiles.assertSameTensor(big, f.tensor("big"));
            SafetensorsWriter.write(mapWritten, Map.of("big", f.tensor("big")), f.metadata());
        }
        assertArrayEquals(Files.readAllBytes(heapWritten), Files.readAllBytes(mapWritten));
    }

    @Test
    void unusualNamesAndMetadataSurviveJsonEscaping() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("quote\"back\\slash", "line\nbreak\ttab \u0001 ctl");
        meta.put("unicode", "Ünïcödé ✓ \uD83D\uDE00");
        meta.put("", "");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a \"quoted\" name", Tensor.vector(1));
        tensors.put("ünï", Tensor.vector(2));
        tensors.put("", Tensor.vector(3));
        tensors.put("\uD83D\uDE00", Tensor.vector(4)); // U+1F600, a surrogate pair in Java
        tensors.put("\uFF21", Tensor.vector(5));
        Path file = dir.resolve("names.safetensors");
        SafetensorsWriter.write(file, tensors, meta);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(meta, f.metadata());
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) TestFiles.assertSameTensor(e.getValue(), f.tensor(e.getKey()));
            // Within one dtype the order is by code point (UTF-8 byte order), like the Rust reference: U+FF21 comes
            // before U+1F600, although String.compareTo puts the surrogate 0xD83D first.
            assertEquals(List.of("", "a \"quoted\" name", "ünï", "\uFF21", "\uD83D\uDE00"),
                    f.tensorsInHeaderOrder().stream().map(TensorInfo::name).toList());
        }
        // Like serde_json, non-ASCII is written as raw UTF-8 (not escaped); control characters are escaped.
        String header = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"ünï\"") && header.contains("\"\uD83D\uDE00\""), header);
        assertTrue(header.contains("line\\nbreak\\ttab \\u0001 ctl"), header);
    }

    @Test
    void readerAcceptsAnyHeaderOrderAndAnUnpaddedHeader() throws IOException {
        // Entries listed in reverse of their data order; header length 109 (odd), so the F32 data is unaligned in
        // the file: readers must cope with files from writers that do not pad.
        String header = "{\"bb\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},"
                + "\"a\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putFloat(0.5f).putFloat(-3f);
        Path file = TestFiles.write(dir.resolve("raw.safetensors"), header, data.array());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(header.length(), f.headerLength());
            assertEquals(109, f.headerLength());
            assertEquals(List.of("bb", "a"), f.tensorsInHeaderOrder().stream().map(TensorInfo::name).toList());
            assertEquals(-7, ((CpuStorage) f.tensor("a").storage()).getLong(0));
            TestFiles.assertSameTensor(Tensor.of(new float[] {0.5f, -3f}, 2), f.tensor("bb"));
        }
    }

    @Test
    void writerRejectsReservedAndNullEntries() {
        Path file = dir.resolve("bad.safetensors");
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file, Map.of("__metadata__", Tensor.vector(1))));
        Map<String, Tensor> withNull = new LinkedHashMap<>();
        withNull.put("x", null);
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file, withNull));
        Map<String, String> nullMeta = new LinkedHashMap<>();
        nullMeta.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file, Map.of(), nullMeta));
        assertFalse(Files.exists(file));
    }

    @Test
    void openFindsTheCheckpointInAModelFolder() throws IOException {
        SafetensorsWriter.write(dir.resolve(Safetensors.SINGLE_FILE), Map.of("x", Tensor.vector(1, 2)));
        try (Safetensors s = Safetensors.open(dir)) {
            assertTrue(s instanceof SafetensorsFile);
            assertEquals(2, s.parameterCount());
            assertEquals(8, s.byteSize());
        }
        Path empty = Files.createDirectory(dir.resolve("empty"));
        IOException e = assertThrows(IOException.class, () -> Safetensors.open(empty));
        assertTrue(e.getMessage().contains(Safetensors.INDEX_FILE), e.getMessage());
        IOException missing = assertThrows(IOException.class, () -> Safetensors.open(dir.resolve("nope.safetensors")));
        assertTrue(missing.getMessage().contains("nope.safetensors") && missing.getMessage().contains("no such file"),
                missing.getMessage());
    }
}

package org.crs4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a safetensors file can break the format gets a SafetensorsFormatException naming file, tensor and field. */
class SafetensorsValidationTest {
    @TempDir Path dir;

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private static final String W = entry("w", "F32", "[2,2]", 0, 16);

    private SafetensorsFormatException rejected(byte[] content) throws IOException {
        Path file = TestFiles.write(dir.resolve("bad.safetensors"), content);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "message is not one line: " + e.getMessage());
        return e;
    }

    private SafetensorsFormatException rejected(String header, int dataBytes) throws IOException {
        return rejected(TestFiles.bytes(header, new byte[dataBytes]));
    }

    /** Asserts the tensor and field the exception names, and that the message says each fragment. */
    private static void assertNames(SafetensorsFormatException e, String tensor, String field, String... fragments) {
        assertEquals(tensor, e.tensor(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        if (tensor != null) assertTrue(e.getMessage().contains("tensor \"" + tensor + "\""), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "no '" + f + "' in: " + e.getMessage());
    }

    @Test
    void validFileForComparison() throws IOException {
        Path file = TestFiles.write(dir.resolve("ok.safetensors"), "{" + W + "}", new byte[16]);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(1, f.tensors().size());
        }
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        assertNames(rejected(new byte[0]), null, null, "0 bytes", "too short");
        assertNames(rejected(new byte[7]), null, null, "7 bytes", "too short");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws IOException {
        byte[] h = ("{" + W + "}").getBytes(StandardCharsets.UTF_8);
        assertNames(rejected(TestFiles.bytes(h.length + 17 + 1, h, new byte[16])), null, null, "runs past the end");
        assertNames(rejected(TestFiles.bytes(-1, h, new byte[16])), null, null, "18446744073709551615", "runs past the end");
        assertNames(rejected(TestFiles.bytes(Long.MAX_VALUE, h, new byte[16])), null, null, "runs past the end");
    }

    @Test
    void absurdlyLargeHeaderLengthWithinAFileIsRefused() throws IOException {
        // A sparse file longer than the 100 MB header limit: costs no disk and no time.
        Path file = dir.resolve("huge-header.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(SafetensorsHeader.MAX_HEADER_BYTES + 1024);
            raf.write(TestFiles.bytes(SafetensorsHeader.MAX_HEADER_BYTES + 1, new byte[0], new byte[0]));
        }
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(file));
        assertNames(e, null, null, "exceeds the format's limit");
    }

    @Test
    void invalidJson() throws IOException {
        assertNames(rejected("{\"w\":{\"dtype\":\"F32\",", 0), null, null, "not valid JSON", "line 1");
        assertNames(rejected("{'w':1}", 0), null, null, "not valid JSON");
        assertNames(rejected("{" + W + ",}", 16), null, null, "not valid JSON");
        assertNames(rejected("{" + W + "} {}", 16), null, null, "after the header's JSON object");
        assertNames(rejected("{" + W + "}x", 16), null, null, "not valid JSON");
        SafetensorsFormatException e = rejected("{\"w\":{\"shape\":[1,2}}", 0);
        assertNames(e, null, null, "Unexpected close marker", "(for Array starting at line: 1, column: 15)");
        assertFalse(e.getMessage().contains("Source"), e.getMessage());
    }

    @Test
    void headerThatIsNotUtf8() throws IOException {
        byte[] h = ("{\"w\u00e9\":1}").getBytes(StandardCharsets.ISO_8859_1);
        assertNames(rejected(TestFiles.bytes(h.length, h, new byte[0])), null, null, "not valid UTF-8", "offset 11");
    }

    @Test
    void headerThatIsNotAnObject() throws IOException {
        assertNames(rejected("[1,2]", 0), null, null, "an array, not a JSON object");
        assertNames(rejected("\"text\"", 0), null, null, "a string, not a JSON object");
        assertNames(rejected("42", 0), null, null, "not a JSON object");
        assertNames(rejected("", 0), null, null, "empty");
        assertNames(rejected("        ", 0), null, null, "empty");
    }

    @Test
    void entriesThatAreNotObjects() throws IOException {
        assertNames(rejected("{\"w\":[0,16]}", 16), "w", null, "an array, not an object");
        assertNames(rejected("{\"w\":\"F32\"}", 0), "w", null, "a string, not an object");
        assertNames(rejected("{\"w\":null}", 0), "w", null, "null, not an object");
    }

    @Test
    void missingFields() throws IOException {
        assertNames(rejected("{\"w\":{\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16), "w", "dtype", "missing");
        assertNames(rejected("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,16]}}", 16), "w", "shape", "missing");
        assertNames(rejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2]}}", 16), "w", "data_offsets", "missing");
        assertNames(rejected("{\"w\":{}}", 0), "w", "dtype", "missing");
    }

    @Test
    void extraAndRepeatedFields() throws IOException {
        assertNames(rejected("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16],\"stride\":[2,1]}}", 16),
                "w", "\"stride\"", "unexpected field");
        assertNames(rejected("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16),
                "w", "dtype", "appears twice");
    }

    @Test
    void unknownAndUnsupportedDtypes() throws IOException {
        assertNames(rejected("{" + entry("w", "F8", "[4]", 0, 4) + "}", 4), "w", "dtype", "unknown dtype \"F8\"", "F32");
        assertNames(rejected("{" + entry("w", "f32", "[4]", 0, 16) + "}", 16), "w", "dtype", "unknown dtype \"f32\"");
        assertNames(rejected("{" + entry("q", "U8", "[4]", 0, 4) + "}", 4), "q", "dtype", "U8", "does not support");
        assertNames(rejected("{" + entry("q", "F8_E4M3", "[4]", 0, 4) + "}", 4), "q", "dtype", "F8_E4M3");
        assertNames(rejected("{\"w\":{\"dtype\":32,\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16), "w", "dtype",
                "an integer, not a string");
    }

    @Test
    void shapeTimesDtypeSizeMustEqualTheByteRange() throws IOException {
        assertNames(rejected("{" + entry("w", "F32", "[2,3]", 0, 16) + "}", 16), "w", null,
                "[2, 3] of F32 is 24 bytes", "span 16");
        assertNames(rejected("{" + entry("w", "BF16", "[2,2]", 0, 16) + "}", 16), "w", null, "is 8 bytes");
        assertNames(rejected("{" + entry("s", "F32", "[]", 0, 0) + "}", 0), "s", null, "is 4 bytes", "span 0");
    }

    @Test
    void negativeOverflowingAndNonIntegerDims() throws IOException {
        assertNames(rejected("{" + entry("w", "F32", "[-2,2]", 0, 16) + "}", 16), "w", "shape", "negative (-2)");
        String big = "[4294967296,4294967296]"; // product 2^64 overflows a long
        assertNames(rejected("{" + entry("w", "F32", big, 0, 16) + "}", 16), "w", "shape", "overflow");
        String bytesOverflow = "[4611686018427387904]"; // 2^62 elements x 4 bytes overflows
        assertNames(rejected("{" + entry("w", "F32", bytesOverflow, 0, 16) + "}", 16), "w", "shape", "overflow");
        assertNames(rejected("{" + entry("w", "F32", "[99999999999999999999]", 0, 16) + "}", 16), "w", "shape",
                "does not fit in 64 bits");
        assertNames(rejected("{" + entry("w", "F32", "[2.0,2]", 0, 16) + "}", 16), "w", "shape", "fractional");
        assertNames(rejected("{" + entry("w", "F32", "[\"2\",2]", 0, 16) + "}", 16), "w", "shape", "a string");
        assertNames(rejected("{" + entry("w", "F32", "[[2],2]", 0, 16) + "}", 16), "w", "shape", "an array");
        assertNames(rejected("{" + entry("w", "F32", "4", 0, 16) + "}", 16), "w", "shape", "not an array");
    }

    @Test
    void dataOffsetsMustBeTwoNonNegativeIntegers() throws IOException {
        String pre = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":";
        assertNames(rejected(pre + "[0]}}", 16), "w", "data_offsets", "1 values, not 2");
        assertNames(rejected(pre + "[0,16,16]}}", 16), "w", "data_offsets", "3 values, not 2");
        assertNames(rejected(pre + "[-16,0]}}", 16), "w", "data_offsets", "negative");
        assertNames(rejected(pre + "[0,1.6e1]}}", 16), "w", "data_offsets", "fractional");
        assertNames(rejected(pre + "[0,\"16\"]}}", 16), "w", "data_offsets", "a string");
        assertNames(rejected(pre + "{\"begin\":0}}}", 16), "w", "data_offsets", "an object, not an array");
        assertNames(rejected(pre + "[0,18446744073709551632]}}", 16), "w", "data_offsets", "64 bits");
    }

    @Test
    void rangesOutsideTheDataSection() throws IOException {
        assertNames(rejected("{" + entry("w", "F32", "[2,2]", 0, 16) + "}", 12), "w", "data_offsets",
                "outside the data section", "12 bytes");
        assertNames(rejected("{" + W + "," + entry("far", "F32", "[1]", 1L << 40, (1L << 40) + 4) + "}", 16), "far",
                "data_offsets", "outside the data section");
    }

    @Test
    void reversedRange() throws IOException {
        assertNames(rejected("{" + entry("w", "F32", "[2,2]", 16, 0) + "}", 16), "w", "data_offsets", "reversed");
    }

    @Test
    void overlappingRanges() throws IOException {
        String h = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}";
        assertNames(rejected(h, 12), "b", "data_offsets", "overlaps tensor \"a\"");
        String same = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "I32", "[2]", 0, 8) + "}";
        assertNames(rejected(same, 8), "b", "data_offsets", "overlaps");
    }

    @Test
    void gapsBetweenAroundAndAfterRanges() throws IOException {
        String between = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 12, 20) + "}";
        assertNames(rejected(between, 20), "b", "data_offsets", "[8, 12)", "gap after tensor \"a\"", "fully indexed");
        String before = "{" + entry("a", "F32", "[2]", 4, 12) + "}";
        assertNames(rejected(before, 12), "a", "data_offsets", "[0, 4)");
        String after = "{" + entry("a", "F32", "[2]", 0, 8) + "}";
        assertNames(rejected(after, 9), null, null, "[8, 9)", "belong to no tensor");
    }

    @Test
    void duplicateNames() throws IOException {
        String h = "{" + entry("w", "F32", "[2]", 0, 8) + "," + entry("w", "F32", "[2]", 8, 16) + "}";
        assertNames(rejected(h, 16), "w", null, "appears twice");
        String meta = "{\"__metadata__\":{},\"__metadata__\":{}}";
        assertNames(rejected(meta, 0), null, "__metadata__", "appears twice");
        String metaKey = "{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}";
        assertNames(rejected(metaKey, 0), null, "__metadata__", "key \"k\" appears twice");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        assertNames(rejected("{\"__metadata__\":{\"n\":1}}", 0), null, "__metadata__", "value of \"n\" is an integer");
        assertNames(rejected("{\"__metadata__\":{\"n\":null}}", 0), null, "__metadata__", "null, not a string");
        assertNames(rejected("{\"__metadata__\":{\"n\":{\"x\":\"y\"}}}", 0), null, "__metadata__", "an object");
        assertNames(rejected("{\"__metadata__\":[\"format\",\"pt\"]}", 0), null, "__metadata__", "not an object of strings");
    }

    @Test
    void acceptedEdgeCases() throws IOException {
        // Null metadata (the reference reads it as absent), an empty header, zero-size tensors sharing an offset,
        // trailing padding spaces and leading whitespace.
        String h = "  {\"__metadata__\":null," + entry("e1", "F32", "[0,3]", 0, 0) + "," + entry("e2", "I64", "[0]", 0, 0)
                + "," + entry("s", "F64", "[]", 0, 8) + "}   ";
        try (SafetensorsFile f = SafetensorsFile.open(TestFiles.write(dir.resolve("edge.safetensors"), h, new byte[8]))) {
            assertEquals(Map.of(), f.metadata());
            assertEquals(3, f.tensors().size());
            assertEquals(0, f.tensor("e1").numel());
            assertEquals(1, f.tensor("s").numel());
            assertEquals(0, f.tensor("s").dim());
        }
        try (SafetensorsFile f = SafetensorsFile.open(TestFiles.write(dir.resolve("empty.safetensors"), "{}", new byte[0]))) {
            assertTrue(f.tensors().isEmpty());
        }
    }

    @Test
    void directoryMissingFileAndFifoGiveClearIoErrors() throws Exception {
        IOException e = assertThrows(IOException.class, () -> SafetensorsFile.open(dir));
        assertEquals(dir + ": is a folder, not a file", e.getMessage());
        Path fifo = dir.resolve("pipe.safetensors");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            // opening a FIFO would wait for a writer forever: `crs4j tensors` on one used to hang
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
                IOException f = assertThrows(IOException.class, () -> Safetensors.open(fifo));
                assertEquals(fifo + ": is a named pipe (FIFO), not a regular file or folder: crs4j reads only those", f.getMessage());
                Files.delete(fifo);
                new ProcessBuilder("mkfifo", dir.resolve(Safetensors.SINGLE_FILE).toString()).start().waitFor();
                f = assertThrows(IOException.class, () -> Safetensors.open(dir));
                assertTrue(f.getMessage().startsWith(dir.resolve(Safetensors.SINGLE_FILE) + ": is a named pipe"), f.getMessage());
            });
        }
        Path missing = dir.resolve("missing.safetensors");
        e = assertThrows(IOException.class, () -> SafetensorsFile.open(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        assertFalse(Files.exists(missing));
    }
}

package org.crs4j.crs.cli;

import static org.crs4j.crs.cli.CliRun.run;

import org.crs4j.crs.cli.CliRun.Run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;
import org.crs4j.tensor.io.Safetensors;
import org.crs4j.tensor.io.SafetensorsWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `crs4j tensors` through Main.run, as a user runs it: stdout, stderr and the exit code. */
class TensorsCommandTest {
    @TempDir Path dir;


    private Path writeModel() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("encoder.weight", Tensor.of(new float[12], 3, 4));
        t.put("encoder.bias", Tensor.of(new float[3], 3));
        t.put("ids", Tensor.of(new long[] {1, 2}, 2));
        t.put("half", Tensor.of(CpuStorage.ofHalf(DType.BF16, new short[10]), 2, 5));
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, t, Map.of("format", "pt", "note", "two\nlines"));
        return file;
    }

    @Test
    void listsNamesDtypesShapesBytesMetadataAndTotals() throws IOException {
        Path file = writeModel();
        Run r = run("tensors", file.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(file.toString(), lines.getFirst());
        assertTrue(r.out().contains("metadata: format = pt"), r.out());
        assertTrue(r.out().contains("metadata: note = two\\nlines"), "metadata must stay on one line: " + r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s+name\\s+dtype\\s+shape\\s+bytes")), r.out());
        assertRow(lines, "encoder.weight", "F32", "[3, 4]", "48");
        assertRow(lines, "encoder.bias", "F32", "[3]", "12");
        assertRow(lines, "ids", "I64", "[2]", "16");
        assertRow(lines, "half", "BF16", "[2, 5]", "20");
        assertTrue(r.out().contains("4 tensors, 27 parameters, 96 bytes (96 B)"), r.out());
    }

    private static void assertRow(List<String> lines, String name, String dtype, String shape, String bytes) {
        String row = "\\s+" + java.util.regex.Pattern.quote(name) + "\\s+" + dtype + "\\s+" + java.util.regex.Pattern.quote(shape)
                + "\\s+" + bytes;
        assertTrue(lines.stream().anyMatch(l -> l.matches(row)), "no row " + name + " " + dtype + " " + shape + " " + bytes
                + " in:\n" + String.join("\n", lines));
    }

    @Test
    void listsAShardedIndexWithItsShards() throws IOException {
        SafetensorsWriter.write(dir.resolve("a.safetensors"), Map.of("x", Tensor.vector(1, 2)), Map.of("format", "pt"));
        SafetensorsWriter.write(dir.resolve("b.safetensors"), Map.of("y", Tensor.of(new int[] {3}, 1)));
        Files.writeString(dir.resolve(Safetensors.INDEX_FILE),
                "{\"metadata\":{\"total_size\":12},\"weight_map\":{\"x\":\"a.safetensors\",\"y\":\"b.safetensors\"}}");
        Run r = run("tensors", dir.toString()); // a model folder resolves to its index
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(dir.resolve(Safetensors.INDEX_FILE).toString(), lines.getFirst());
        assertTrue(r.out().contains("index metadata: total_size = 12"), r.out());
        assertTrue(r.out().contains("shard 1   a.safetensors: 1 tensors, "), r.out());
        assertTrue(r.out().contains("metadata format=pt"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s+x\\s+F32\\s+\\[2]\\s+8\\s+1")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s+y\\s+I32\\s+\\[1]\\s+4\\s+2")), r.out());
        assertTrue(r.out().contains("2 tensors, 3 parameters, 12 bytes (12 B) in 2 shards"), r.out());
    }

    @Test
    void aCorruptFileExitsNonZeroWithOneLineNamingTheFile() throws IOException {
        Path bad = Files.write(dir.resolve("bad.safetensors"), "not a safetensors file".getBytes(StandardCharsets.UTF_8));
        Run r = run("tensors", bad.toString());
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertEquals(1, r.errLines().size(), r.err());
        String line = r.errLines().getFirst();
        assertTrue(line.startsWith("crs4j tensors: " + bad + ": header length "), line);
        assertTrue(line.contains("runs past the end of the file"), line);
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "stack trace leaked: " + r.err());
    }

    @Test
    void aBadEntryIsNamedByTensorAndField() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path bad = Files.write(dir.resolve("short.safetensors"), b.array());
        Run r = run("tensors", bad.toString());
        assertEquals(1, r.code());
        assertEquals(List.of("crs4j tensors: " + bad + ": tensor \"w\": shape [3] of F32 is 12 bytes but data_offsets [0, 8] span 8"),
                r.errLines());
    }

    @Test
    void aMissingFileOrShardIsOneLine() throws IOException {
        Run r = run("tensors", dir.resolve("absent.safetensors").toString());
        assertEquals(1, r.code());
        assertEquals(List.of("crs4j tensors: " + dir.resolve("absent.safetensors") + ": no such file or folder"), r.errLines());

        Files.writeString(dir.resolve("idx.json"), "{\"weight_map\":{\"x\":\"gone.safetensors\"}}");
        r = run("tensors", dir.resolve("idx.json").toString());
        assertEquals(1, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().getFirst().contains("gone.safetensors does not exist"), r.err());
    }

    @Test
    void goodFilesAreListedBeforeTheFirstBadOne() throws IOException {
        Path good = writeModel();
        Path bad = Files.write(dir.resolve("trunc.safetensors"), new byte[] {1, 2, 3});
        Run r = run("tensors", good.toString(), bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("4 tensors"), r.out());
        assertEquals(List.of("crs4j tensors: " + bad + ": file is 3 bytes, too short to hold the 8-byte header length"), r.errLines());
    }

    @Test
    void listsTheSharedStories260KCheckpoint() {
        String shared = System.getProperty("crs4j.shared");
        Path hf = shared == null ? null : Path.of(shared, "models", "stories260K", "hf");
        Assumptions.assumeTrue(hf != null && Files.isDirectory(hf), "shared stories260K checkpoint not found (crs4j.shared=" + shared + ")");
        Run r = run("tensors", hf.toString(), hf.resolveSibling("hf-bf16-sharded").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("47 tensors, 260,032 parameters, 1,040,128 bytes"), r.out());
        assertTrue(r.out().contains("47 tensors, 260,032 parameters, 520,064 bytes (507.9 KiB) in 2 shards"), r.out());
    }
}

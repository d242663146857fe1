package org.crs4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed or interrupted save never destroys the previous file, and never leaves a partial one in its place. */
class AtomicFilesTest {
    @TempDir Path dir;

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void writeStringReplacesTheWholeFileInUtf8() throws IOException {
        Path target = dir.resolve("out.txt");
        Files.writeString(target, "an older and longer content");
        String text = "Amélie (2001)\n".repeat(10_000); // larger than one channel write may take
        AtomicFiles.writeString(target, text);
        assertEquals(text, Files.readString(target));
        assertEquals(List.of(target), listing());
    }

    @Test
    void theTargetKeepsItsOldContentUntilTheNewOneIsComplete() throws IOException {
        Path target = dir.resolve("out.bin");
        Files.writeString(target, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
            ch.write(ByteBuffer.wrap("new, half wri".getBytes()));
            assertEquals("old", Files.readString(target), "the target changed before the write completed");
            throw new IOException("disk full"); // a failure mid-write
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), listing(), "a temporary file was left behind");

        AtomicFiles.write(target, ch -> ch.write(ByteBuffer.wrap("new".getBytes())));
        assertEquals("new", Files.readString(target));
        assertEquals(List.of(target), listing());
    }

    @Test
    void aSaveThatFailsMidwayKeepsThePreviousCheckpoint() throws IOException {
        Path target = dir.resolve("model.safetensors");
        SafetensorsWriter.write(target, Map.of("w", Tensor.of(new float[] {1, 2}, 2)));
        byte[] before = Files.readAllBytes(target);

        Path other = dir.resolve("other.safetensors");
        SafetensorsWriter.write(other, Map.of("z", Tensor.of(new float[] {3, 4, 5}, 3)));
        Tensor unmapped;
        try (SafetensorsFile f = SafetensorsFile.open(other)) {
            unmapped = f.tensor("z");
        } // closing unmaps: reading "z" during the save fails after "a" has been written
        Map<String, Tensor> next = new LinkedHashMap<>();
        next.put("a", Tensor.of(new float[] {9, 9, 9, 9}, 4));
        next.put("z", unmapped);
        assertThrows(IllegalStateException.class, () -> SafetensorsWriter.write(target, next));
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of(target, other), listing());
    }

    @Test
    void savingOverAnOpenCheckpointLeavesItsReadersOnTheOldData() throws IOException {
        Path target = dir.resolve("model.safetensors");
        SafetensorsWriter.write(target, Map.of("w", Tensor.of(new float[] {1, 2}, 2)));
        try (SafetensorsFile old = SafetensorsFile.open(target)) {
            Tensor w = old.tensor("w");
            SafetensorsWriter.write(target, Map.of("w", Tensor.of(new float[] {7, 8}, 2)));
            assertEquals(2f, ((CpuStorage) w.storage()).getFloat(1)); // the old inode is still mapped
            try (SafetensorsFile fresh = SafetensorsFile.open(target)) {
                assertEquals(8f, ((CpuStorage) fresh.tensor("w").storage()).getFloat(1));
            }
        }
    }

    @Test
    void aMissingFolderIsNamed() {
        Path target = dir.resolve("no/such/folder/model.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> SafetensorsWriter.write(target, Map.of("w", Tensor.vector(1))));
        assertTrue(e.getMessage().contains("folder does not exist") && e.getMessage().contains("no/such/folder"), e.getMessage());
    }
}

package org.crs4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens to mapped tensors when their file is closed, forgotten, or read from other threads. */
class SafetensorsLifetimeTest {
    @TempDir Path dir;

    private Path file() throws IOException {
        Path p = dir.resolve("l.safetensors");
        SafetensorsWriter.write(p, Map.of("x", Tensor.of(new float[] {1, 2, 3}, 3)));
        return p;
    }

    @Test
    void tensorsFailCleanlyAfterClose() throws IOException {
        SafetensorsFile f = SafetensorsFile.open(file());
        Tensor x = f.tensor("x");
        CpuStorage s = (CpuStorage) x.storage();
        assertEquals(2f, s.getFloat(1));
        f.close();
        f.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.getFloat(1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> f.tensor("x"));
        assertEquals(3, f.info("x").numel()); // the header stays readable
    }

    @Test
    void mappedTensorsAreReadableFromOtherThreads() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(file())) {
            CpuStorage s = (CpuStorage) f.tensor("x").storage();
            float v = CompletableFuture.supplyAsync(() -> s.getFloat(2)).get();
            assertEquals(3f, v);
        }
    }

    @Test
    void aForgottenFileIsUnmappedOnlyOnceNoTensorReferencesIt() throws Exception {
        Path p = file();
        SafetensorsFile f = SafetensorsFile.open(p);
        Tensor held = f.tensor("x");
        MemorySegment raw = f.bytes("x"); // a raw segment does not keep the file reachable
        f = null;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(raw.scope().isAlive(), "unmapped while a tensor still references the file");
        assertEquals(1f, ((CpuStorage) held.storage()).getFloat(0));

        held = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (raw.scope().isAlive() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertFalse(raw.scope().isAlive(), "the Cleaner did not unmap a file nobody references");
    }
}

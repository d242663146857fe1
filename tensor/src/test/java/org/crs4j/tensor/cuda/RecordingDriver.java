package org.crs4j.tensor.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Driver} without a GPU, for testing everything above the kernels: "device memory" is host memory (so uploads,
 * downloads, device-to-device copies and zeroing really happen), kernel launches are checked — against the limits of
 * an H100 (sm_90, 132 multiprocessors, 227 KiB of shared memory per block) and, by {@link CudaDevice#launch}, against
 * the kernel's PTX signature — and recorded, but not executed: a kernel's output stays whatever the memory held.
 */
public final class RecordingDriver implements Driver {
    public record Launch(String module, String kernel, int gx, int gy, int gz, int block, int shared) {}

    private final TreeMap<Long, MemorySegment> blocks = new TreeMap<>();
    private long next = 1L << 32;
    public final List<Launch> launches = new ArrayList<>();
    /** Bytes copied from "device" to host so far: a training step that reads back its weights shows up here. */
    public final java.util.concurrent.atomic.AtomicLong downloadedBytes = new java.util.concurrent.atomic.AtomicLong();
    int allocations, frees;
    long limitBytes = Long.MAX_VALUE, allocatedBytes;

    @Override
    public String arch() {
        return "sm_90";
    }

    @Override
    public int multiprocessors() {
        return 132;
    }

    @Override
    public int maxSharedPerBlock() {
        return 227 * 1024;
    }

    @Override
    public synchronized long allocate(long bytes) {
        if (allocatedBytes + bytes > limitBytes) throw new OutOfDeviceMemory("recording driver: limit of " + limitBytes + " bytes");
        long a = next;
        next += (bytes + 4095) / 4096 * 4096 + 4096;
        blocks.put(a, MemorySegment.ofArray(new byte[(int) bytes]));
        allocations++;
        allocatedBytes += bytes;
        return a;
    }

    @Override
    public synchronized void free(long address) {
        MemorySegment s = blocks.remove(address);
        if (s == null) throw new IllegalStateException("free of unknown address " + Long.toHexString(address));
        allocatedBytes -= s.byteSize();
        frees++;
    }

    /** The bytes at [address, address + bytes) inside one allocation. */
    synchronized MemorySegment at(long address, long bytes) {
        Map.Entry<Long, MemorySegment> e = blocks.floorEntry(address);
        if (e == null || address + bytes > e.getKey() + e.getValue().byteSize()) {
            throw new IllegalStateException("access of " + bytes + " bytes at " + Long.toHexString(address) + " outside any allocation");
        }
        return e.getValue().asSlice(address - e.getKey(), bytes);
    }

    @Override
    public void zero(long address, long bytes) {
        at(address, bytes).fill((byte) 0);
    }

    @Override
    public void copyToDevice(MemorySegment src, long dst, long bytes) {
        MemorySegment.copy(src, 0, at(dst, bytes), 0, bytes);
    }

    @Override
    public void copyToHost(long src, MemorySegment dst, long bytes) {
        downloadedBytes.addAndGet(bytes);
        MemorySegment.copy(at(src, bytes), 0, dst, 0, bytes);
    }

    @Override
    public void copyOnDevice(long src, long dst, long bytes) {
        MemorySegment.copy(at(src, bytes), 0, at(dst, bytes), 0, bytes);
    }

    @Override
    public synchronized void launch(String module, String kernel, int gx, int gy, int gz, int block, int sharedBytes, Object[] args) {
        if (gx < 1 || gy < 1 || gz < 1 || gy > 65535 || gz > 65535) {
            throw new IllegalArgumentException(kernel + ": grid (" + gx + ", " + gy + ", " + gz + ") outside the device's limits");
        }
        if (block < 1 || block > 1024) throw new IllegalArgumentException(kernel + ": block of " + block + " threads");
        if (sharedBytes > maxSharedPerBlock()) throw new IllegalArgumentException(kernel + ": " + sharedBytes + " bytes of shared memory");
        for (Object a : args) {
            // device pointers among the arguments must point into an allocation (or be 0: absent operands)
            if (a instanceof Long l && l >= (1L << 32) && l < next) at(l, 1);
        }
        launches.add(new Launch(module, kernel, gx, gy, gz, block, sharedBytes));
    }

    @Override
    public void synchronize() {}

    @Override
    public long streamHandle() {
        return 0;
    }

    /** Writes a long at a device address (tests simulate a kernel's result). */
    void putLong(long address, long value) {
        at(address, 8).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
    }
}

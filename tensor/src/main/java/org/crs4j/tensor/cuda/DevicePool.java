package org.crs4j.tensor.cuda;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * A caching allocator in front of {@link Driver#allocate}, as PyTorch's: a freed block goes back to a free list of its
 * rounded size instead of to the driver (cuMemFree synchronises the whole device), and the next allocation of that size
 * reuses it. Sizes round up to 512 bytes below 1 MiB and to 2 MiB above, so the free lists stay few.
 *
 * <p>Reuse is safe without events because all work is ordered on the device's one stream: a block is released only
 * when its storage is unreachable (a {@link java.lang.ref.Cleaner} action), so no later work can name it, and the
 * kernels enqueued before still run before any kernel that reuses it.
 *
 * <p>Device memory is invisible to the Java heap's accounting, so unreachable tensors may hold much of it until a
 * collection runs. When the driver refuses an allocation the pool returns its cached blocks to the driver, asks for a
 * collection, waits for the cleaners, and tries once more before reporting the device out of memory.
 */
final class DevicePool {
    private static final long SMALL = 1 << 20, SMALL_ROUND = 512, LARGE_ROUND = 2 << 20;

    private final Driver driver;
    private final Map<Long, ArrayDeque<Long>> free = new TreeMap<>();
    private long inUse, cached, peak, driverAllocations;
    private long pendingReleases;

    DevicePool(Driver driver) {
        this.driver = driver;
    }

    static long rounded(long bytes) {
        long r = bytes < SMALL ? SMALL_ROUND : LARGE_ROUND;
        return Math.max(r, (bytes + r - 1) / r * r);
    }

    /** A block of at least {@code bytes}; returns its address (the block's size is {@link #rounded}). */
    long allocate(long bytes) {
        long size = rounded(bytes);
        synchronized (this) {
            ArrayDeque<Long> list = free.get(size);
            if (list != null && !list.isEmpty()) {
                cached -= size;
                return use(list.pop(), size);
            }
        }
        long address;
        try {
            address = driver.allocate(size);
        } catch (Driver.OutOfDeviceMemory e) {
            address = retryAfterCollection(size, e);
        }
        synchronized (this) {
            driverAllocations++;
            return use(address, size);
        }
    }

    private long use(long address, long size) {
        inUse += size;
        peak = Math.max(peak, inUse);
        return address;
    }

    private long retryAfterCollection(long size, Driver.OutOfDeviceMemory first) {
        for (int attempt = 0; attempt < 3; attempt++) {
            emptyCache();
            long before;
            synchronized (this) {
                before = pendingReleases;
            }
            System.gc();
            awaitReleases(before);
            synchronized (this) {
                ArrayDeque<Long> list = free.get(size);
                if (list != null && !list.isEmpty()) {
                    cached -= size;
                    return list.pop(); // the caller counts it as in use
                }
            }
            emptyCache();
            try {
                return driver.allocate(size);
            } catch (Driver.OutOfDeviceMemory e) {
                // the collection freed too little yet: once more, then give up
            }
        }
        throw new Driver.OutOfDeviceMemory(first.getMessage() + " (" + size + " bytes requested; " + stats() + ")");
    }

    /**
     * Waits for the cleaners of storages a collection found unreachable: up to a second for the first release after
     * {@code before}, then while releases keep arriving (50 ms apart at most).
     */
    private synchronized void awaitReleases(long before) {
        long deadline = System.nanoTime() + 1_000_000_000L;
        try {
            while (pendingReleases == before && System.nanoTime() < deadline) wait(20);
            long seen;
            do {
                seen = pendingReleases;
                wait(50);
            } while (pendingReleases != seen && System.nanoTime() < deadline + 1_000_000_000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Called by a storage's cleaner: the block becomes reusable. Makes no driver call (any thread may run it). */
    synchronized void release(long address, long bytes) {
        long size = rounded(bytes);
        inUse -= size;
        cached += size;
        pendingReleases++;
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(address);
        notifyAll();
    }

    /** Returns every cached block to the driver. */
    void emptyCache() {
        ArrayDeque<Long> blocks = new ArrayDeque<>();
        synchronized (this) {
            for (ArrayDeque<Long> list : free.values()) blocks.addAll(list);
            free.clear();
            cached = 0;
        }
        if (!blocks.isEmpty()) {
            driver.synchronize();
            for (long b : blocks) driver.free(b);
        }
    }

    synchronized long inUse() {
        return inUse;
    }

    synchronized long cached() {
        return cached;
    }

    synchronized String stats() {
        return String.format("%.1f MiB in use by tensors, %.1f MiB cached, peak %.1f MiB, %d driver allocations",
                inUse / 1048576.0, cached / 1048576.0, peak / 1048576.0, driverAllocations);
    }
}

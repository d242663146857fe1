package org.crs4j.tensor.cuda;

import java.lang.foreign.MemorySegment;

/**
 * What the CUDA backend asks of a device: memory, copies on its one stream, kernel launches, synchronisation. The
 * real implementation is {@link DriverApi} (JCuda's binding of the driver API, {@code libcuda.so.1} only); the tests
 * put a recording implementation with host memory behind it, so that everything above the driver — allocation pool,
 * transfers, shape and dtype dispatch, and every kernel launch's arguments, checked against the kernel's PTX
 * signature — runs without a GPU.
 *
 * <p>All work is ordered on one stream: a copy to the host returns once everything enqueued before it has finished.
 * Device addresses are plain {@code long}s.
 */
public interface Driver {

    /** "sm_90" etc. */
    String arch();

    /** Streaming multiprocessors, for sizing grids. */
    int multiprocessors();

    /** The most dynamic shared memory a block may opt into (bytes). */
    int maxSharedPerBlock();

    /** A new allocation of {@code bytes} (> 0), or throws {@link OutOfDeviceMemory}. */
    long allocate(long bytes);

    /** Returns an allocation made by {@link #allocate} to the device. */
    void free(long address);

    /** Sets {@code bytes} bytes at {@code address} to zero (ordered on the stream). */
    void zero(long address, long bytes);

    /** Host to device; returns when the source may be reused. */
    void copyToDevice(MemorySegment src, long dst, long bytes);

    /** Device to host, after all enqueued work; returns when the data is in {@code dst}. */
    void copyToHost(long src, MemorySegment dst, long bytes);

    void copyOnDevice(long src, long dst, long bytes);

    /**
     * Launches {@code kernel} of {@code module} (a PTX resource) on grid (gx, gy, gz) of {@code block} threads with
     * {@code sharedBytes} of dynamic shared memory; {@code args} are Integer, Long (also device addresses), Float,
     * Double, int[] or long[] (structs passed by value), already checked against the kernel's signature.
     */
    void launch(String module, String kernel, int gx, int gy, int gz, int block, int sharedBytes, Object[] args);

    /** Waits for everything enqueued. */
    void synchronize();

    /** The stream's native handle (a {@code CUstream}), for libraries that enqueue on it (cuBLAS). */
    long streamHandle();

    /** Raised when the device has no memory left for an allocation. */
    final class OutOfDeviceMemory extends RuntimeException {
        public OutOfDeviceMemory(String message) {
            super(message);
        }
    }
}

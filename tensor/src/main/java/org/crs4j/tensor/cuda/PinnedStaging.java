package org.crs4j.tensor.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

/**
 * Small uploads without stopping the stream. A copy from pageable (Java) memory must finish before the call returns,
 * which drains the stream; the ops of a decoding step upload a few small CPU tensors each (rotary angles, positions,
 * constants), and draining the stream for each would leave the GPU idle while the host launches the next kernels.
 * Instead such a copy goes through a ring of pinned host memory: the bytes are copied into the ring at once, the
 * device copy is enqueued asynchronously, and an event marks when that part of the ring may be written again.
 */
final class PinnedStaging {
    static final long RING = 16L << 20, MAX_COPY = 256 << 10;

    private record InFlight(long start, long end, CUevent done) {}

    private final CUstream stream;
    private final Pointer ring = new Pointer();
    private final MemorySegment memory;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final ArrayDeque<CUevent> spare = new ArrayDeque<>();
    private long position;

    PinnedStaging(CUstream stream) {
        this.stream = stream;
        cuMemHostAlloc(ring, RING, 0);
        memory = MemorySegment.ofBuffer(ring.getByteBuffer(0, RING));
    }

    /** Enqueues the copy of {@code bytes} (at most {@link #MAX_COPY}) from {@code src} to device address {@code dst}. */
    synchronized void copy(MemorySegment src, long dst, long bytes) {
        if (position + bytes > RING) position = 0;
        long start = position, end = start + bytes;
        // wait for the earlier copies out of the region about to be overwritten (the ring is used in order)
        while (!inFlight.isEmpty() && overlaps(inFlight.peekFirst(), start, end)) {
            InFlight f = inFlight.pollFirst();
            cuEventSynchronize(f.done());
            spare.push(f.done());
        }
        MemorySegment.copy(src, 0, memory, start, bytes);
        cuMemcpyHtoDAsync((CUdeviceptr) new CUdeviceptr().withByteOffset(dst), ring.withByteOffset(start), bytes, stream);
        CUevent e = spare.isEmpty() ? newEvent() : spare.pop();
        cuEventRecord(e, stream);
        inFlight.addLast(new InFlight(start, end, e));
        position = (end + 255) & ~255L;
    }

    private static boolean overlaps(InFlight f, long start, long end) {
        return f.start() < end && start < f.end();
    }

    private static CUevent newEvent() {
        CUevent e = new CUevent();
        cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        return e;
    }
}

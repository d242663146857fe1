package org.crs4j.tensor.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * {@link Driver} over JCuda's binding of the CUDA driver API (it needs only {@code libcuda.so.1}, the driver, any CUDA 12
 * or 13 one). The device's primary context, one non-blocking stream, modules JIT-compiled by the driver from the PTX
 * resources on first use. Every call makes the context current on the calling thread first (threads of the compute
 * pool, the test runner and the Cleaner all reach the backend).
 */
final class DriverApi implements Driver {
    private final int index;
    private final CUcontext context = new CUcontext();
    private final Stream stream = new Stream();
    private final String arch;
    private final int multiprocessors, maxShared;
    private final Map<String, CUmodule> modules = new ConcurrentHashMap<>();
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
    private final Map<CUfunction, Integer> sharedOptIn = new ConcurrentHashMap<>();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private final PinnedStaging staging;

    /** A CUstream whose native handle can be read (JCuda keeps it protected). */
    private static final class Stream extends CUstream {
        long handle() {
            return getNativePointer();
        }
    }

    /** A device pointer whose address can be read. */
    private static final class Address extends CUdeviceptr {
        long value() {
            return getNativePointer() + getByteOffset();
        }
    }

    /** Opens device {@code index}: driver initialisation, primary context, stream. Throws with the driver's reason. */
    DriverApi(int index) {
        this.index = index;
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (index >= count[0]) {
            throw new IllegalStateException("cuda:" + index + " does not exist: the driver reports " + count[0] + " device(s)");
        }
        CUdevice device = new CUdevice();
        cuDeviceGet(device, index);
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        current.set(true);
        cuStreamCreate(stream, 1); // CU_STREAM_NON_BLOCKING: no implicit synchronisation with the legacy stream
        arch = "sm_" + attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
                + attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        multiprocessors = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        maxShared = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
        staging = new PinnedStaging(stream);
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attribute, device);
        return v[0];
    }

    private void enter() {
        if (!current.get()) {
            cuCtxSetCurrent(context);
            current.set(true);
        }
    }

    @Override
    public String arch() {
        return arch;
    }

    @Override
    public int multiprocessors() {
        return multiprocessors;
    }

    @Override
    public int maxSharedPerBlock() {
        return maxShared;
    }

    @Override
    public long allocate(long bytes) {
        enter();
        Address p = new Address();
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            if (e.getMessage() != null && e.getMessage().contains(CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY))) {
                throw new OutOfDeviceMemory("cuda:" + index + " has no free block of " + bytes + " bytes");
            }
            throw e;
        }
        return p.value();
    }

    private static CUdeviceptr at(long address) {
        return (CUdeviceptr) new CUdeviceptr().withByteOffset(address);
    }

    @Override
    public void free(long address) {
        enter();
        cuMemFree(at(address));
    }

    @Override
    public void zero(long address, long bytes) {
        enter();
        cuMemsetD8Async(at(address), (byte) 0, bytes, stream);
    }

    @Override
    public void copyToDevice(MemorySegment src, long dst, long bytes) {
        enter();
        if (bytes <= PinnedStaging.MAX_COPY) {
            staging.copy(src, dst, bytes); // asynchronous: the stream keeps running
            return;
        }
        // pageable host memory: the driver stages it, and the call returns once the source may be reused
        cuMemcpyHtoDAsync(at(dst), host(src), bytes, stream);
        cuStreamSynchronize(stream);
    }

    @Override
    public void copyToHost(long src, MemorySegment dst, long bytes) {
        enter();
        cuMemcpyDtoHAsync(host(dst), at(src), bytes, stream);
        cuStreamSynchronize(stream);
    }

    /** A JCuda pointer to a native segment, or to the heap array behind a heap segment. */
    private static Pointer host(MemorySegment s) {
        if (s.isNative()) return Pointer.to(s.asByteBuffer());
        Object base = s.heapBase().orElseThrow();
        long off = s.address();
        Pointer p = switch (base) {
            case byte[] a -> Pointer.to(a);
            case short[] a -> Pointer.to(a);
            case int[] a -> Pointer.to(a);
            case long[] a -> Pointer.to(a);
            case float[] a -> Pointer.to(a);
            case double[] a -> Pointer.to(a);
            default -> throw new IllegalArgumentException("unsupported heap segment over " + base.getClass());
        };
        return off == 0 ? p : p.withByteOffset(off);
    }

    @Override
    public void copyOnDevice(long src, long dst, long bytes) {
        enter();
        cuMemcpyDtoDAsync(at(dst), at(src), bytes, stream);
    }

    @Override
    public void launch(String module, String kernel, int gx, int gy, int gz, int block, int sharedBytes, Object[] args) {
        enter();
        CUfunction f = function(module, kernel);
        if (sharedBytes > 48 * 1024) {
            Integer granted = sharedOptIn.get(f);
            if (granted == null || granted < sharedBytes) {
                if (sharedBytes > maxShared) {
                    throw new IllegalArgumentException(kernel + " needs " + sharedBytes + " bytes of shared memory; " + arch
                            + " allows " + maxShared + " per block");
                }
                cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes);
                sharedOptIn.put(f, sharedBytes);
            }
        }
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Float v -> Pointer.to(new float[] {v});
                case Double v -> Pointer.to(new double[] {v});
                case int[] v -> Pointer.to(v);
                case long[] v -> Pointer.to(v);
                default -> throw new IllegalArgumentException("argument " + i + " of " + kernel + ": " + args[i]);
            };
        }
        cuLaunchKernel(f, gx, gy, gz, block, 1, 1, sharedBytes, stream, Pointer.to(params), null);
    }

    private CUfunction function(String module, String kernel) {
        return functions.computeIfAbsent(module + "/" + kernel, key -> {
            CUmodule m = modules.computeIfAbsent(module, name -> {
                CUmodule loaded = new CUmodule();
                byte[] text = CudaModules.ptx(name).getBytes(StandardCharsets.US_ASCII);
                cuModuleLoadData(loaded, Arrays.copyOf(text, text.length + 1)); // the driver JIT-compiles the PTX
                return loaded;
            });
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, m, kernel);
            return f;
        });
    }

    @Override
    public void synchronize() {
        enter();
        cuStreamSynchronize(stream);
    }

    @Override
    public long streamHandle() {
        return stream.handle();
    }

    /** The stream as JCuda's object, for JCublas2. */
    CUstream jcudaStream() {
        return stream;
    }
}

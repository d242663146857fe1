package org.crs4j.tensor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.crs4j.tensor.cpu.CpuBackend;
import org.crs4j.tensor.cuda.CudaBackend;

/**
 * Finds the backend for a device, and the backend an op runs on. The CUDA backend is created on first use, so
 * CPU-only runs never load JCuda; where CUDA cannot run, asking for it fails with one line saying why (no driver, no
 * such device) and nothing is cached, so nothing is left half-initialised.
 *
 * <p><b>Mixed devices.</b> An op with an operand on a GPU runs on that GPU's backend, which uploads the op's CPU
 * operands (token ids, masks, positions, constants: small tensors the layers above create on the CPU). That is what
 * lets autograd, nn and models run on CUDA unchanged once their parameters are there ({@code Module.to(device)}).
 */
public final class Backends {
    private Backends() {}

    private static final Map<Device, Backend> BACKENDS = new ConcurrentHashMap<>();

    public static Backend get(Device device) {
        if (device.kind() == Device.Kind.CPU) return CpuBackend.INSTANCE;
        return BACKENDS.computeIfAbsent(device, Backends::create);
    }

    /**
     * Puts {@code backend} in place for its device (until {@link #unregister}): for tests, which run the CUDA backend
     * over a driver without a GPU on a device number no real GPU uses.
     */
    public static void register(Backend backend) {
        if (backend.device().kind() == Device.Kind.CPU) throw new IllegalArgumentException("the CPU backend is fixed");
        BACKENDS.put(backend.device(), backend);
    }

    public static void unregister(Device device) {
        BACKENDS.remove(device);
    }

    private static Backend create(Device device) {
        return CudaBackend.open(device.index());
    }

    /** The backend of the first operand not on the CPU (null operands ignored), else the CPU's. */
    public static Backend of(Tensor... operands) {
        for (Tensor t : operands) {
            if (t != null && t.device().kind() != Device.Kind.CPU) return get(t.device());
        }
        return CpuBackend.INSTANCE;
    }

    /** Moves a tensor between devices (a contiguous copy). */
    static Tensor transfer(Tensor t, Device target) {
        if (target.kind() == Device.Kind.CPU) return ((CudaBackend) get(t.device())).download(t);
        CudaBackend cuda = (CudaBackend) get(target);
        Tensor host = t.device().kind() == Device.Kind.CPU ? t : t.toDevice(Device.CPU);
        Tensor up = cuda.upload(host);
        return up.isContiguous() ? up : up.contiguous();
    }
}

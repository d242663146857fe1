package org.crs4j.tensor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.crs4j.tensor.cpu.CpuBackend;

/** Finds the backend for a device. The CUDA backend is created on first use, so CPU-only runs never load JCuda. */
public final class Backends {
    private Backends() {}

    private static final Map<Device, Backend> BACKENDS = new ConcurrentHashMap<>();

    public static Backend get(Device device) {
        if (device.kind() == Device.Kind.CPU) return CpuBackend.INSTANCE;
        return BACKENDS.computeIfAbsent(device, Backends::create);
    }

    private static Backend create(Device device) {
        throw new UnsupportedOperationException("no backend for device " + device
                + " yet: the CUDA backend is not part of this build (see `crs4j info`)");
    }

    /** Moves a tensor between devices (a contiguous copy). */
    static Tensor transfer(Tensor t, Device target) {
        throw new UnsupportedOperationException("cannot move a tensor from " + t.device() + " to " + target
                + ": no backend for " + (t.device().kind() == Device.Kind.CPU ? target : t.device()));
    }
}

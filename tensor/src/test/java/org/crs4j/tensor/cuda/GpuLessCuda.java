package org.crs4j.tensor.cuda;

import org.crs4j.tensor.Backends;
import org.crs4j.tensor.Device;

/**
 * For the modules above: a CUDA backend over a {@link RecordingDriver}, registered as {@code cuda:N}, so that a model
 * or a training step can be dry-run "on the GPU" without one. Every host-side step runs for real — placement of
 * parameters, uploads of the CPU-made inputs, the KV cache following the model, the dispatch of every op to its
 * kernels with arguments checked against their PTX signatures — while the kernels themselves do not execute (their
 * outputs hold whatever memory held). It shows that a code path reaches CUDA without CPU-only assumptions; the numbers
 * come from the parity tests on a GPU.
 */
public final class GpuLessCuda implements AutoCloseable {
    public final RecordingDriver driver = new RecordingDriver();
    public final CudaBackend backend;
    public final Device device;

    public GpuLessCuda(int index) {
        device = Device.cuda(index);
        backend = new CudaBackend(new CudaDevice(device, driver, d -> new KernelGemm(d, "no cuBLAS (dry run)")));
        Backends.register(backend);
    }

    @Override
    public void close() {
        Backends.unregister(device);
    }
}

package org.crs4j.models.cli;

import org.crs4j.models.Quantization;
import org.crs4j.tensor.Backends;
import org.crs4j.tensor.Device;
import picocli.CommandLine.Option;

/**
 * {@code --device cpu|cuda|cuda:N}, the option every command that runs a model shares (picocli mixin:
 * {@code @Mixin DeviceOption device;}). {@link #resolve} turns it into a {@link Device} that is ready to use, or fails
 * with one line naming the option — an unknown name, or a GPU that cannot run here and why — before the command loads
 * anything. A command then moves its model with {@code module.to(device)}; everything else follows the parameters.
 */
public final class DeviceOption {
    @Option(names = "--device", paramLabel = "cpu|cuda|cuda:N", defaultValue = "cpu",
            description = "where the model runs: cpu (default) or an NVIDIA GPU (cuda = cuda:0; needs only the NVIDIA driver,"
                    + " cuBLAS when present); weights are copied to the GPU in their stored dtype")
    String device = "cpu";

    /**
     * The device, with its backend opened.
     *
     * @throws IllegalArgumentException "--device: ..." for a name that is not a device, "--device cuda:0: ..." for a GPU
     *                                  that cannot be used here
     */
    public Device resolve() {
        Device d;
        try {
            d = Device.parse(device);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device: " + e.getMessage());
        }
        if (d.kind() == Device.Kind.CUDA) {
            try {
                Backends.get(d);
            } catch (UnsupportedOperationException e) {
                throw new IllegalArgumentException("--device " + device + ": " + e.getMessage());
            }
        }
        return d;
    }

    /**
     * {@link #resolve()} for a model loaded with {@code quantization}: Q8_0 is a CPU format (the GPU would hold it
     * dequantized, four times larger), so {@code --quantize q8} with a GPU is refused, naming {@code --quantize}.
     */
    public Device resolve(Quantization quantization) {
        Device d = resolve();
        if (d.kind() != Device.Kind.CPU && quantization == Quantization.Q8) {
            throw new IllegalArgumentException("--quantize q8: Q8_0 weights are a CPU format; on " + d
                    + " use --quantize none (BF16 weights are read as they are)");
        }
        return d;
    }

    /** The option as typed (for messages). */
    public String text() {
        return device;
    }
}

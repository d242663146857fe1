package org.crs4j.tensor.testing;

import java.util.stream.Stream;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.cuda.CudaProbe;
import org.junit.jupiter.api.Assumptions;

/**
 * The devices the op tests run on (JUnit's {@code @ParameterizedClass @MethodSource("org.crs4j.tensor.testing.Devices#all")}
 * with a {@code Device} constructor parameter): the CPU always, and cuda:0, which skips — printing why — where CUDA is
 * not usable. The test's {@link RandomTensors} then make their inputs on that device, in random layouts there.
 */
public final class Devices {
    private Devices() {}

    public static Stream<Device> all() {
        return Stream.of(Device.CPU, Device.cuda(0));
    }

    /** Skips (aborts) a test on a GPU that is not usable here, saying why on stdout and in the report. */
    public static void assumeUsable(Device device, String test) {
        if (device.kind() == Device.Kind.CPU) return;
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.usable()) {
            System.out.println(test + " on " + device + " skipped: CUDA not usable: " + probe.reason());
            Assumptions.abort("CUDA not usable: " + probe.reason());
        }
    }

    /** Skips a test that checks a property of the CPU backend only (its thread-count invariance, its strategies). */
    public static void cpuOnly(Device device, String why) {
        Assumptions.assumeTrue(device.kind() == Device.Kind.CPU, () -> "CPU backend property: " + why);
    }
}

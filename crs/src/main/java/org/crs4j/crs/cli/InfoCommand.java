package org.crs4j.crs.cli;

import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import org.crs4j.tensor.Version;
import org.crs4j.tensor.cpu.Parallel;
import org.crs4j.tensor.cuda.CudaProbe;
import org.crs4j.tensor.cuda.CudaSmoke;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `crs4j info`: what this machine gives crs4j to compute with. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Print the crs4j and Java versions, the Vector API species, CPU threads and CUDA status.")
final class InfoCommand implements Callable<Integer> {

    @Option(names = "--cuda-smoke", description = "also run the JCuda smoke test on the GPU (driver API, crs4j's PTX "
            + "kernel JIT-compiled and as a cubin, JCublas), each step checked against a double-precision reference")
    boolean cudaSmoke;

    @Override
    public Integer call() {
        var species = FloatVector.SPECIES_PREFERRED;
        Runtime rt = Runtime.getRuntime();
        System.out.println("crs4j        " + Version.get());
        System.out.println("java         " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vm.vendor") + ", " + System.getProperty("os.arch") + ")");
        System.out.println("vector api   " + species + ": " + species.length() + " float lanes, "
                + species.vectorBitSize() + "-bit");
        System.out.println("cpu threads  " + Parallel.THREADS + " compute (" + rt.availableProcessors()
                + " available; set CRS4J_THREADS to change)");
        System.out.println("max heap     " + (rt.maxMemory() >> 20) + " MiB");
        CudaProbe.Result cuda = CudaProbe.probe();
        if (cuda.usable()) {
            System.out.println("cuda         usable: driver " + cuda.driverVersion() / 1000 + "." + (cuda.driverVersion() % 1000) / 10
                    + ", " + String.join("; ", cuda.devices()) + "; " + cuda.cublas());
        } else {
            System.out.println("cuda         not usable: " + cuda.reason());
        }
        if (!cudaSmoke) return 0;
        CudaSmoke.Report report = CudaSmoke.run(42);
        System.out.println(CudaSmoke.describe(report));
        return report.skipped() != null || report.passed() ? 0 : 1;
    }
}

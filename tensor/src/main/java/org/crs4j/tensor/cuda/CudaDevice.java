package org.crs4j.tensor.cuda;

import java.util.function.Function;
import org.crs4j.tensor.Device;

/**
 * One CUDA device as the backend uses it: its {@link Driver} (context, stream, modules), its allocation pool, and its
 * GEMM library, chosen on first use among those that load ({@link BlasLibraries}).
 */
public final class CudaDevice {
    private final Device device;
    private final Driver driver;
    private final DevicePool pool;
    private final Function<CudaDevice, Blas> blasFactory;
    private volatile Blas blas;

    CudaDevice(Device device, Driver driver, Function<CudaDevice, Blas> blasFactory) {
        this.device = device;
        this.driver = driver;
        this.pool = new DevicePool(driver);
        this.blasFactory = blasFactory;
    }

    /**
     * Opens {@code cuda:index}, or explains why not in one line: no driver, no such device, ... Nothing is left
     * half-initialised: the probe runs first, and a failure past it is reported whole.
     */
    public static CudaDevice open(int index) {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.usable()) throw new CudaUnavailableException("cuda:" + index + " is not usable: " + probe.reason());
        Driver driver;
        try {
            driver = new DriverApi(index);
        } catch (RuntimeException | LinkageError e) {
            throw new CudaUnavailableException("cuda:" + index + " could not be opened: " + CudaProbe.explain(e));
        }
        return new CudaDevice(Device.cuda(index), driver, BlasLibraries::open);
    }

    public Device device() {
        return device;
    }

    Driver driver() {
        return driver;
    }

    DevicePool pool() {
        return pool;
    }

    /** The GEMM library, loaded on first use (cuBLAS through JCublas2 or through FFM, whichever loads). */
    Blas blas() {
        Blas b = blas;
        if (b == null) {
            synchronized (this) {
                if (blas == null) blas = blasFactory.apply(this);
                b = blas;
            }
        }
        return b;
    }

    /**
     * {@code -Dcrs4j.cuda.syncLaunches=true} (or {@code CRS4J_CUDA_SYNC=1}): wait for every kernel, so that a kernel
     * that faults is named in the error instead of surfacing at the next read of a result. For debugging: it costs the
     * overlap of host and device.
     */
    static final boolean SYNC_LAUNCHES = Boolean.getBoolean("crs4j.cuda.syncLaunches") || "1".equals(System.getenv("CRS4J_CUDA_SYNC"));

    /** Launches after checking the arguments against the kernel's PTX signature. */
    void launch(String module, String kernel, int gx, int gy, int gz, int block, int sharedBytes, Object... args) {
        CudaModules.check(module, kernel, args);
        driver.launch(module, kernel, gx, gy, gz, block, sharedBytes, args);
        if (SYNC_LAUNCHES) {
            try {
                driver.synchronize();
            } catch (RuntimeException e) {
                throw new IllegalStateException("CUDA kernel " + module + "/" + kernel + " (grid " + gx + "x" + gy + "x" + gz
                        + ", block " + block + ", " + sharedBytes + " bytes shared) failed: " + e.getMessage(), e);
            }
        }
    }

    /** A grid-stride launch over n elements with 256-thread blocks (grids capped at 32 blocks per multiprocessor). */
    void launch1d(String module, String kernel, long n, Object... args) {
        if (n <= 0) return;
        int blocks = (int) Math.min((n + 255) / 256, 32L * Math.max(1, driver.multiprocessors()));
        launch(module, kernel, blocks, 1, 1, 256, 0, args);
    }

    /** Memory use of this device's tensors, for reports. */
    public String memoryStats() {
        return pool.stats();
    }

    /** The GEMM library in use ("cuBLAS 13.0 through FFM", ...), loading it if needed. */
    public String blasDescription() {
        return blas().description();
    }
}

package org.crs4j.tensor.cuda;

import java.lang.ref.Cleaner;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Storage;

/**
 * Device memory holding {@code length} elements of one dtype: a block of its device's {@link DevicePool}, returned to
 * the pool when the storage becomes unreachable. Elements are laid out as on the CPU (little-endian, BOOL one byte,
 * BF16/F16 as 16-bit patterns); Q8_0 does not exist on CUDA.
 */
public final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaDevice device;
    private final long address;

    CudaStorage(CudaDevice device, DType dtype, long length) {
        super(dtype, length);
        if (dtype == DType.Q8_0) {
            throw new IllegalArgumentException("Q8_0 is a CPU storage format; on CUDA keep weights in BF16 or F32");
        }
        this.device = device;
        long bytes = length * dtype.byteSize();
        if (bytes == 0) {
            this.address = 0;
        } else {
            DevicePool pool = device.pool();
            long a = pool.allocate(bytes);
            this.address = a;
            CLEANER.register(this, () -> pool.release(a, bytes));
        }
    }

    @Override
    public Device device() {
        return device.device();
    }

    CudaDevice cudaDevice() {
        return device;
    }

    /** The device address of element 0 (0 for an empty storage). */
    public long address() {
        return address;
    }

    /** The address of element {@code index}. */
    long addressOf(long index) {
        return address + index * dtype().byteSize();
    }
}

package org.crs4j.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.crs4j.tensor.Backends;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Asking for CUDA where it cannot run: one clear line, nothing cached or half-initialised, the CPU unaffected. */
class CudaDispatchTest {

    @Test
    void withoutCudaTheBackendIsRefusedWithTheProbesReason() {
        assumeTrue(!CudaProbe.available(), "CUDA is usable here");
        String reason = CudaProbe.probe().reason();
        for (int attempt = 0; attempt < 2; attempt++) { // the refusal is not cached as a broken backend
            CudaUnavailableException e = assertThrows(CudaUnavailableException.class, () -> Backends.get(Device.cuda(0)));
            assertEquals("cuda:0 is not usable: " + reason, e.getMessage());
        }
        Tensor x = Tensor.vector(1, 2, 3);
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, () -> x.toDevice(Device.cuda(0)));
        assertTrue(e.getMessage().startsWith("cuda:0 is not usable: "), e.getMessage());
        assertEquals(Device.CPU, x.mul(2).device(), "the CPU keeps working");
        assertArrayEquals(new float[] {2, 4, 6}, x.mul(2).toFloatArray());
    }

    @Test
    void opsOnCpuTensorsStayOnTheCpu() {
        Tensor a = Tensor.vector(1, 2), b = Tensor.vector(3, 4);
        assertSame(org.crs4j.tensor.cpu.CpuBackend.INSTANCE, Backends.of(a, null, b));
    }
}

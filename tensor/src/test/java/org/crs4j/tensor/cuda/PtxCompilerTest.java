package org.crs4j.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * crs4j's PTX kernels compile with JCuda's in-process PTX compiler for the GPUs the project targets. Needs no GPU,
 * driver or CUDA toolkit (the compiler's native library is self-contained), so it runs everywhere, CI included.
 */
class PtxCompilerTest {

    /** A platform without JCuda's native compiler (not Linux/Windows x86-64) skips, saying so. */
    @BeforeAll
    static void compilerLoads() {
        try {
            PtxCompiler.version();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            System.out.println("PtxCompilerTest skipped: JCuda's PTX compiler does not load here: " + e.getMessage());
            Assumptions.abort("JCuda's PTX compiler does not load here: " + e.getMessage());
        }
    }

    @Test
    void theSmokeKernelCompilesForAmpereAndHopper() {
        for (String gpu : new String[] {"sm_80", "sm_90"}) {
            byte[] cubin = PtxCompiler.cubin("smoke.ptx", gpu);
            assertTrue(cubin.length > 64, gpu + ": a cubin of " + cubin.length + " bytes");
            assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(cubin, 4), gpu + ": an ELF image");
            String text = new String(cubin, StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("saxpy"), gpu + ": the entry point is in the image");
        }
        assertTrue(PtxCompiler.version().matches("\\d+\\.\\d+"), PtxCompiler.version());
    }

    /** Every module of the CUDA backend, as the tests' H100 and A100 would load it from a cubin. */
    @Test
    void everyBackendModuleCompilesForAmpereAndHopper() {
        for (String module : CudaModules.NAMES) {
            for (String gpu : new String[] {"sm_80", "sm_90"}) {
                byte[] cubin = PtxCompiler.cubin(module + ".ptx", gpu);
                assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(cubin, 4), module + " " + gpu);
                String image = new String(cubin, StandardCharsets.ISO_8859_1);
                for (String kernel : CudaModules.signatures(module).names()) {
                    assertTrue(image.contains(kernel), module + " " + gpu + ": kernel " + kernel + " is in the image");
                }
            }
        }
    }

    @Test
    void anUnknownKernelIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PtxCompiler.kernel("nope.ptx"));
        assertTrue(e.getMessage().contains("nope.ptx"), e.getMessage());
    }
}

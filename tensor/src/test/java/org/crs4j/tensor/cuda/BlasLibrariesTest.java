package org.crs4j.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which GEMM library the backend takes, decided by what loads; tested here where no cuBLAS is installed. */
class BlasLibrariesTest {

    private static Blas fake(String name) {
        return new Blas() {
            @Override
            public String description() {
                return name;
            }

            @Override
            public void gemm(boolean transA, boolean transB, int m, int n, int k, long a, int aType, int lda, long strideA,
                             long b, int bType, int ldb, long strideB, long c, int cType, int ldc, long strideC, int batch,
                             int computeType) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void theFirstCandidateThatLoadsWinsAndTheOthersSayWhy() {
        BlasLibraries.Choice c = BlasLibraries.choose(List.of(
                new BlasLibraries.Candidate("JCublas2", () -> { throw new UnsatisfiedLinkError("libcublas.so.12: cannot open shared object file"); }),
                new BlasLibraries.Candidate("FFM libcublas.so.13", () -> fake("cuBLAS 13.0.0 (libcublas.so.13) through FFM")),
                new BlasLibraries.Candidate("FFM libcublas.so.12", () -> { throw new AssertionError("never tried"); })));
        assertEquals("cuBLAS 13.0.0 (libcublas.so.13) through FFM", c.blas().description());
        assertEquals(List.of("JCublas2: libcublas.so.12 (CUDA 12 cuBLAS) is not installed"), c.refusals());
        assertEquals("cuBLAS 13.0.0 (libcublas.so.13) through FFM", c.describe());
    }

    @Test
    void withNothingLoadingTheChoiceIsTheKernelFallbackWithEveryReason() {
        BlasLibraries.Choice c = BlasLibraries.choose(List.of(
                new BlasLibraries.Candidate("JCublas2", () -> { throw new UnsatisfiedLinkError("libcublas.so.12: cannot open shared object file: No such file"); }),
                new BlasLibraries.Candidate("FFM libcublas.so.13", () -> { throw new IllegalArgumentException("libcublas.so.13: not found by the dynamic linker"); })));
        assertNull(c.blas());
        assertTrue(c.describe().startsWith("no cuBLAS (JCublas2: "), c.describe());
        assertTrue(c.describe().contains("FFM libcublas.so.13: IllegalArgumentException: libcublas.so.13: not found by the dynamic linker"), c.describe());
        assertTrue(c.describe().endsWith("crs4j's own GEMM kernel"), c.describe());
        assertTrue(BlasLibraries.choose(List.of()).describe().contains("disabled by crs4j.cublas=none"));
    }

    @Test
    void theSettingSelectsCandidatesAndRejectsTypos() {
        RecordingDriver driver = new RecordingDriver();
        List<String> auto = BlasLibraries.candidates("auto", driver).stream().map(BlasLibraries.Candidate::name).toList();
        boolean explicit = System.getenv("CRS4J_CUBLAS_LIBRARY") != null;
        List<String> named = explicit ? auto.subList(0, 1) : auto;
        if (!explicit) {
            assertEquals(List.of("JCublas2", "FFM libcublas.so.13", "FFM libcublas.so.12", "FFM libcublas.so"), auto.subList(0, 4));
            // then any copies in the CUDA toolkit's folders, by absolute path
            for (String n : auto.subList(4, auto.size())) assertTrue(n.startsWith("FFM /") && n.contains("/libcublas.so"), n);
        }
        assertFalse(named.isEmpty());
        assertEquals(1, BlasLibraries.candidates("jcublas", driver).size());
        assertEquals(BlasLibraries.ffmLibraries().size(), BlasLibraries.candidates("ffm", driver).size());
        assertTrue(BlasLibraries.candidates("none", driver).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BlasLibraries.candidates("cublas13", driver));
        assertTrue(e.getMessage().contains("crs4j.cublas must be auto, jcublas, ffm or none"), e.getMessage());
    }

    /** The real candidates on a machine without cuBLAS: every one refuses, by name, and nothing crashes. */
    @Test
    void onThisMachineEachRealCandidateRefusesOrLoads() {
        BlasLibraries.Choice c = BlasLibraries.choose(BlasLibraries.candidates("ffm", new RecordingDriver()));
        if (c.blas() != null) {
            System.out.println("BlasLibrariesTest: a cuBLAS is installed here: " + c.describe());
            return;
        }
        assertEquals(BlasLibraries.ffmLibraries().size(), c.refusals().size(), c.refusals().toString());
        for (String lib : BlasLibraries.FFM_LIBRARIES) {
            assertTrue(c.describe().contains(lib + ": not found by the dynamic linker"), c.describe());
        }
    }

    /** A library that exists but is not cuBLAS is refused naming the first missing function. */
    @Test
    void aLibraryWithoutTheCublasSymbolsIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FfmCublas("libc.so.6", 0));
        assertEquals("libc.so.6: has no symbol cublasCreate_v2 (not a cuBLAS 12/13 library?)", e.getMessage());
    }
}

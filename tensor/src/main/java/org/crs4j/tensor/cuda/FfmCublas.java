package org.crs4j.tensor.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * {@link Blas} as a thin FFM binding to the {@code libcublas} present (CUDA 13's {@code libcublas.so.13}, or 12's), for
 * machines where JCublas2 12.6 cannot load. Binds only the seven functions used; a library lacking one of them is
 * refused at load, naming it.
 */
final class FfmCublas implements Blas {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final int OP_N = 0, OP_T = 1;

    private final String library, version;
    private final MethodHandle gemmEx, gemmStridedBatchedEx;
    private final MemorySegment handle;
    private final MemorySegment oneF, zeroF, oneD, zeroD;

    /** The symbols crs4j calls, in the order they are bound. */
    static final String[] SYMBOLS = {"cublasCreate_v2", "cublasSetStream_v2", "cublasGetVersion_v2", "cublasSetMathMode",
            "cublasGemmEx", "cublasGemmStridedBatchedEx", "cublasDestroy_v2"};

    /**
     * Loads {@code library} (a name the dynamic linker resolves, e.g. "libcublas.so.13") and creates a handle on
     * {@code stream}.
     *
     * @throws IllegalArgumentException naming the library when it is not found or lacks a symbol
     * @throws IllegalStateException    when cuBLAS returns an error status
     */
    FfmCublas(String library, long stream) {
        this.library = library;
        Arena arena = Arena.global(); // the library and its constants live as long as the process
        SymbolLookup lookup;
        try {
            lookup = library.contains("/") ? SymbolLookup.libraryLookup(java.nio.file.Path.of(library), arena)
                    : SymbolLookup.libraryLookup(library, arena);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(library + ": not found by the dynamic linker");
        }
        MethodHandle create = bind(lookup, "cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle setStream = bind(lookup, "cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MethodHandle getVersion = bind(lookup, "cublasGetVersion_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        bind(lookup, "cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        gemmEx = bind(lookup, "cublasGemmEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        gemmStridedBatchedEx = bind(lookup, "cublasGemmStridedBatchedEx", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS,
                JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT));
        bind(lookup, "cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        oneF = arena.allocateFrom(JAVA_FLOAT, 1f);
        zeroF = arena.allocateFrom(JAVA_FLOAT, 0f);
        oneD = arena.allocateFrom(JAVA_DOUBLE, 1d);
        zeroD = arena.allocateFrom(JAVA_DOUBLE, 0d);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment out = call.allocate(ADDRESS);
            check("cublasCreate_v2", (int) create.invokeExact(out));
            handle = out.get(ADDRESS, 0);
            check("cublasSetStream_v2", (int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream)));
            MemorySegment v = call.allocate(JAVA_INT);
            check("cublasGetVersion_v2", (int) getVersion.invokeExact(handle, v));
            int n = v.get(JAVA_INT, 0);
            version = (n / 10000) + "." + (n / 100 % 100) + "." + (n % 100);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(library + ": " + t, t);
        }
    }

    private MethodHandle bind(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() ->
                new IllegalArgumentException(library + ": has no symbol " + name + " (not a cuBLAS 12/13 library?)"));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    private void check(String function, int status) {
        if (status != 0) throw new IllegalStateException(library + ": " + function + " returned cuBLAS status " + status);
    }

    @Override
    public String description() {
        return "cuBLAS " + version + " (" + library + ") through FFM";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, long a, int aType, int lda, long strideA, long b,
                     int bType, int ldb, long strideB, long c, int cType, int ldc, long strideC, int batch, int computeType) {
        boolean f64 = computeType == COMPUTE_64F;
        MemorySegment one = f64 ? oneD : oneF, zero = f64 ? zeroD : zeroF;
        int ta = transA ? OP_T : OP_N, tb = transB ? OP_T : OP_N;
        int status;
        try {
            if (batch == 1) {
                status = (int) gemmEx.invokeExact(handle, ta, tb, m, n, k, one, MemorySegment.ofAddress(a), aType, lda,
                        MemorySegment.ofAddress(b), bType, ldb, zero, MemorySegment.ofAddress(c), cType, ldc, computeType,
                        GEMM_DEFAULT);
            } else {
                status = (int) gemmStridedBatchedEx.invokeExact(handle, ta, tb, m, n, k, one, MemorySegment.ofAddress(a),
                        aType, lda, strideA, MemorySegment.ofAddress(b), bType, ldb, strideB, zero,
                        MemorySegment.ofAddress(c), cType, ldc, strideC, batch, computeType, GEMM_DEFAULT);
            }
        } catch (Throwable t) {
            throw new IllegalStateException(library + ": cublasGemmEx: " + t, t);
        }
        check(batch == 1 ? "cublasGemmEx" : "cublasGemmStridedBatchedEx", status);
    }
}

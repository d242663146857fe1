package org.crs4j.tensor.cpu;

import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/** Brings operands into a heap array of a compute dtype, without copying when they already are. */
final class Operands {
    private Operands() {}

    /** {@code t} itself when its storage is a heap array of {@code dtype}; else a contiguous heap copy. */
    static Tensor heap(Tensor t, DType dtype) {
        CpuStorage s = (CpuStorage) t.storage();
        boolean ok = switch (dtype) {
            case F32 -> s.floats() != null;
            case F64 -> s.doubles() != null;
            case I32 -> s.ints() != null;
            case I64 -> s.longs() != null;
            case BOOL -> s.bytes() != null && s.dtype() == DType.BOOL;
            default -> false;
        };
        if (ok) return t;
        Tensor out = CpuBackend.INSTANCE.zeros(dtype, t.shape());
        CopyKernel.copy(t, out);
        return out;
    }

    /** Like {@link #heap} and also contiguous. */
    static Tensor contiguousHeap(Tensor t, DType dtype) {
        Tensor h = heap(t, dtype);
        if (h.isContiguous()) return h;
        Tensor out = CpuBackend.INSTANCE.zeros(dtype, t.shape());
        CopyKernel.copy(h, out);
        return out;
    }

    static float[] floats(Tensor t) {
        return ((CpuStorage) t.storage()).floats();
    }

    static double[] doubles(Tensor t) {
        return ((CpuStorage) t.storage()).doubles();
    }

    static long[] longs(Tensor t) {
        return ((CpuStorage) t.storage()).longs();
    }

    static int[] ints(Tensor t) {
        return ((CpuStorage) t.storage()).ints();
    }

    static byte[] bools(Tensor t) {
        return ((CpuStorage) t.storage()).bytes();
    }
}

package org.crs4j.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Tensor;

/** Strided copy with broadcasting and dtype conversion: the one routine behind contiguous(), to(dtype) and copyFrom. */
final class CopyKernel {
    private CopyKernel() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

    static void copy(Tensor src, Tensor dst) {
        int[] shape = dst.shape();
        Tensor s = src.expand(shape);
        if (dst.numel() == 0) return;
        CpuStorage in = (CpuStorage) s.storage(), out = (CpuStorage) dst.storage();
        DType st = in.dtype(), dt = out.dtype();
        if (dt == DType.Q8_0) {
            quantize(s, dst);
            return;
        }
        if (st == dt && s.isContiguous() && dst.isContiguous() && s.numel() == dst.numel() && src.numel() == dst.numel()) {
            long bytes = (long) dst.numel() * dt.byteSize();
            MemorySegment.copy(in.segment(), (long) s.offset() * st.byteSize(), out.segment(),
                    (long) dst.offset() * dt.byteSize(), bytes);
            return;
        }
        new Strided(shape, dst, s).forEachRow((off, inner, n) -> copyRow(in, off[1], inner[1], out, off[0], inner[0], n));
    }

    /**
     * Copying into Q8_0 storage quantizes, block by block, so it must write the destination storage whole: that is
     * what {@code to(DType.Q8_0)} does (a new contiguous tensor); a view of Q8_0 storage cannot be written.
     */
    private static void quantize(Tensor src, Tensor dst) {
        CpuStorage out = (CpuStorage) dst.storage();
        if (!dst.isContiguous() || dst.offset() != 0 || dst.numel() != out.length()) {
            throw new IllegalArgumentException("cannot copy into a view of Q8_0 storage: Q8_0 tensors are written whole, "
                    + "by to(DType.Q8_0)");
        }
        boolean direct = src.isContiguous() && src.numel() == dst.numel() && src.dtype().isFloating() && src.dtype() != DType.F64;
        Tensor s = direct ? src : Operands.contiguousHeap(src, DType.F32);
        Q8.quantize((CpuStorage) s.storage(), s.offset(), out);
    }

    private static void copyRow(CpuStorage in, int io, int is, CpuStorage out, int oo, int os, int n) {
        float[] dstF = out.floats();
        if (dstF != null && is == 1 && os == 1 && in.dtype() == DType.Q8_0) {
            FloatRuns.read(in, io, dstF, oo, n);
            return;
        }
        if (dstF != null) {
            float[] srcF = in.floats();
            if (srcF != null) {
                if (is == 1 && os == 1) System.arraycopy(srcF, io, dstF, oo, n);
                else for (int j = 0; j < n; j++) dstF[oo + j * os] = srcF[io + j * is];
                return;
            }
            if (in.dtype() == DType.BF16 && is == 1 && os == 1) {
                bf16ToF32(in.segment(), io, dstF, oo, n);
                return;
            }
            if (in.dtype() == DType.F16) {
                MemorySegment seg = in.segment();
                for (int j = 0; j < n; j++) {
                    dstF[oo + j * os] = Float.float16ToFloat(seg.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, io + (long) j * is));
                }
                return;
            }
            for (int j = 0; j < n; j++) dstF[oo + j * os] = in.getFloat(io + (long) j * is);
            return;
        }
        DType dt = out.dtype(), st = in.dtype();
        if (dt == DType.I64 || dt == DType.I32 || dt == DType.BOOL) {
            if (st.isFloating() && st != DType.F64) {
                for (int j = 0; j < n; j++) out.setLong(oo + (long) j * os, toLong(in.getFloat(io + (long) j * is), dt));
            } else if (st == DType.F64) {
                for (int j = 0; j < n; j++) out.setLong(oo + (long) j * os, toLong(in.getDouble(io + (long) j * is), dt));
            } else {
                for (int j = 0; j < n; j++) out.setLong(oo + (long) j * os, in.getLong(io + (long) j * is));
            }
            return;
        }
        if (dt == DType.F64 && (st == DType.I64)) {
            for (int j = 0; j < n; j++) out.setDouble(oo + (long) j * os, in.getLong(io + (long) j * is));
            return;
        }
        for (int j = 0; j < n; j++) out.setDouble(oo + (long) j * os, in.getDouble(io + (long) j * is));
    }

    /** Float to integer as torch does (truncation toward zero); to BOOL means "non-zero". */
    private static long toLong(double v, DType target) {
        if (target == DType.BOOL) return v != 0 ? 1 : 0;
        return (long) v;
    }

    /**
     * BF16 to F32 for {@code n} contiguous elements starting at element {@code from} of a segment: widen each 16-bit
     * pattern to the top half of a 32-bit float.
     */
    static void bf16ToF32(MemorySegment seg, long from, float[] dst, int dstOffset, int n) {
        int j = 0;
        int step = F.length();
        if (S.length() == step) {
            int bound = n - step + 1;
            for (; j < bound; j += step) {
                ShortVector h = ShortVector.fromMemorySegment(S, seg, (from + j) * 2, ByteOrder.nativeOrder());
                IntVector w = (IntVector) h.convertShape(VectorOperators.S2I, I, 0);
                w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOffset + j);
            }
        }
        for (; j < n; j++) {
            dst[dstOffset + j] = Half.bf16ToFloat(seg.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, from + j));
        }
    }
}

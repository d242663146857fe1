package org.crs4j.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reads a run of consecutive storage elements (F32, BF16 or F16, heap or segment) as floats: the one place where the
 * GEMM packing routines and the matrix-vector kernels widen 16-bit storage.
 *
 * <p>BF16 is the top half of an F32, so widening is a shift left by 16. F16 is widened exactly with integer ops:
 * the 15 magnitude bits shifted into F32 position give the value times 2^-112 (for subnormal halves too, as an F32
 * subnormal), the multiplication by 2^112 restores it exactly, infinities and NaNs get the F32 all-ones exponent.
 */
final class FloatRuns {
    private FloatRuns() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** 16-bit lanes, as many as {@link #F} has floats. */
    static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final VectorSpecies<Integer> I = F.withLanes(int.class);

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** dst[dstOff .. dstOff+len) = storage elements [start, start+len) as floats. */
    static void read(CpuStorage s, long start, float[] dst, int dstOff, int len) {
        switch (s.dtype()) {
            case F32 -> {
                float[] arr = s.floats();
                if (arr != null) System.arraycopy(arr, (int) start, dst, dstOff, len);
                else MemorySegment.copy(s.segment(), F32, start * 4, dst, dstOff, len);
            }
            case BF16 -> readBf16(s.segment(), start * 2, dst, dstOff, len);
            case F16 -> readF16(s.segment(), start * 2, dst, dstOff, len);
            default -> throw new IllegalArgumentException("not a float storage: " + s.dtype());
        }
    }

    // The conversions are written out inside each loop, not called: a helper that returns a vector and that C2
    // declines to inline (it does, once the helper is compiled on its own) boxes every vector it returns.

    private static void readBf16(MemorySegment seg, long byteOff, float[] dst, int dstOff, int len) {
        int i = 0;
        for (int bound = len - F.length(); i <= bound; i += F.length()) {
            IntVector bits = (IntVector) ShortVector.fromMemorySegment(H, seg, byteOff + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + i);
        }
        for (; i < len; i++) dst[dstOff + i] = Half.bf16ToFloat(seg.get(I16, byteOff + 2L * i));
    }

    private static void readF16(MemorySegment seg, long byteOff, float[] dst, int dstOff, int len) {
        int i = 0;
        for (int bound = len - F.length(); i <= bound; i += F.length()) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H, seg, byteOff + 2L * i, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
            FloatVector finite = magnitude.reinterpretAsFloats().mul(TWO_POW_112);
            FloatVector infNan = magnitude.or(0x7F800000).reinterpretAsFloats();
            VectorMask<Float> special = h.and(0x7C00).eq(0x7C00).cast(F);
            IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
            finite.blend(infNan, special).reinterpretAsInts().or(sign).reinterpretAsFloats().intoArray(dst, dstOff + i);
        }
        for (; i < len; i++) dst[dstOff + i] = Float.float16ToFloat(seg.get(I16, byteOff + 2L * i));
    }

    private static final float TWO_POW_112 = 0x1p112f;
}

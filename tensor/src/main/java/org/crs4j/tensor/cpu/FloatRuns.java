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

/**
 * Reads a run of consecutive storage elements (F32, BF16 or F16, heap or segment; Q8_0, dequantized) as floats: the
 * one place where the GEMM packing routines, copies and the generic matrix-vector path widen storage types.
 *
 * <p>BF16 is the top half of an F32, so widening is a shift left by 16; F16 goes through the JDK's conversion, which
 * C2 vectorizes.
 *
 * <p>Vector loads from a {@link MemorySegment} are used on native segments only (memory-mapped files, arenas); heap
 * storage is read through its array. The Vector API's segment loads dispatch on the segment's class with a type
 * profile shared by the whole JVM: once heap and native segments of several classes pass through them, every caller
 * slows down (measured: a BF16 matrix-vector product fell from 19 to 9 GB/s after a few calls on heap segments).
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
        MemorySegment seg = s.segment();
        switch (s.dtype()) {
            case F32 -> {
                float[] arr = s.floats();
                if (arr != null) System.arraycopy(arr, (int) start, dst, dstOff, len);
                else MemorySegment.copy(seg, F32, start * 4, dst, dstOff, len);
            }
            case BF16, F16 -> {
                boolean bf16 = s.dtype() == DType.BF16;
                if (seg.isNative()) {
                    if (bf16) readBf16(seg, start * 2, dst, dstOff, len);
                    else readF16(seg, start * 2, dst, dstOff, len);
                    return;
                }
                // Heap: read the short[] itself, or a copy of the run when the segment is over another array.
                short[] bits;
                int from;
                if (seg.heapBase().orElse(null) instanceof short[] a) {
                    bits = a;
                    from = (int) (seg.address() / 2 + start);
                } else {
                    bits = SCRATCH.get();
                    if (bits.length < len) SCRATCH.set(bits = new short[len]);
                    MemorySegment.copy(seg, I16, start * 2, bits, 0, len);
                    from = 0;
                }
                if (bf16) readBf16(bits, from, dst, dstOff, len);
                else readF16(bits, from, dst, dstOff, len);
            }
            case Q8_0 -> Q8.read(s, start, dst, dstOff, len);
            default -> throw new IllegalArgumentException("not a float storage: " + s.dtype());
        }
    }

    private static final ThreadLocal<short[]> SCRATCH = ThreadLocal.withInitial(() -> new short[1024]);

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

    private static void readBf16(short[] src, int from, float[] dst, int dstOff, int len) {
        int i = 0;
        for (int bound = len - F.length(); i <= bound; i += F.length()) {
            IntVector bits = (IntVector) ShortVector.fromArray(H, src, from + i).convertShape(VectorOperators.S2I, I, 0);
            bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + i);
        }
        for (; i < len; i++) dst[dstOff + i] = Half.bf16ToFloat(src[from + i]);
    }

    /**
     * Plain loops over {@link Float#float16ToFloat}: C2 compiles them to vector VCVTPH2PS (F16C, present on every
     * AVX2 machine), measured faster than a Vector API bit-manipulation widening (46 vs 17 elements/ns with
     * AVX-512, 31 vs 8 with AVX2).
     */
    private static void readF16(MemorySegment seg, long byteOff, float[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) dst[dstOff + i] = Float.float16ToFloat(seg.get(I16, byteOff + 2L * i));
    }

    private static void readF16(short[] src, int from, float[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) dst[dstOff + i] = Float.float16ToFloat(src[from + i]);
    }
}

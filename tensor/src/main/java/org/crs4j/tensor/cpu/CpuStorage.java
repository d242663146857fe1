package org.crs4j.tensor.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Storage;

/**
 * CPU storage: always a {@link MemorySegment} (heap array, native memory or a memory-mapped file region), plus the
 * backing Java array when there is one, so that kernels can take their fast path on {@code float[]}.
 *
 * <p>{@link DType#Q8_0} storage holds its int8 quants in a native segment (one byte per element) and one F32 scale
 * per block of {@link DType#Q8_BLOCK} elements in a heap array ({@link #scales()}): element i is
 * {@code quant[i] * scales[i / 32]}. It is read-only; tensors get it from {@code to(DType.Q8_0)} (see {@link Q8}).
 *
 * <p>Elements are in the machine's native byte order (little-endian on every platform crs4j supports); the
 * safetensors reader refuses to run on big-endian machines rather than silently mis-read.
 */
public final class CpuStorage extends Storage {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment segment;
    private final Object array; // float[], double[], short[], int[], long[], byte[] or null
    private final Object owner; // keeps a mapped file's arena or other owner reachable while the storage is
    private final float[] scales; // Q8_0 only: one per block

    private CpuStorage(DType dtype, long length, MemorySegment segment, Object array, Object owner) {
        this(dtype, length, segment, array, owner, null);
    }

    private CpuStorage(DType dtype, long length, MemorySegment segment, Object array, Object owner, float[] scales) {
        super(dtype, length);
        if (segment.byteSize() < length * dtype.byteSize()) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is too small for "
                    + length + " " + dtype + " elements");
        }
        this.segment = segment;
        this.array = array;
        this.owner = owner;
        this.scales = scales;
    }

    /** Zero-filled heap storage (Q8_0: zero quants in native memory, zero scales). */
    public static CpuStorage allocate(DType dtype, int length) {
        if (dtype == DType.Q8_0) {
            return q8(Arena.ofAuto().allocate(Math.max(length, 1), 64).asSlice(0, length), new float[Q8.blocks(length)]);
        }
        Object array = switch (dtype) {
            case F32 -> new float[length];
            case F64 -> new double[length];
            case BF16, F16 -> new short[length];
            case I32 -> new int[length];
            case I64 -> new long[length];
            case BOOL -> new byte[length];
            case Q8_0 -> throw new AssertionError();
        };
        return wrapArray(dtype, array);
    }

    /**
     * Q8_0 storage over {@code quants} (one signed byte per element, in a native segment readable from every thread:
     * global, automatic or shared arena) and one scale per block of 32 elements (the last block may be partial).
     */
    public static CpuStorage q8(MemorySegment quants, float[] scales) {
        if (!quants.isNative()) throw new IllegalArgumentException("Q8_0 quants must be in native memory");
        if (scales.length != Q8.blocks(quants.byteSize())) {
            throw new IllegalArgumentException(quants.byteSize() + " Q8_0 elements need " + Q8.blocks(quants.byteSize())
                    + " scales, got " + scales.length);
        }
        return new CpuStorage(DType.Q8_0, quants.byteSize(), quants, null, null, scales);
    }

    public static CpuStorage of(float[] data) {
        return wrapArray(DType.F32, data);
    }

    public static CpuStorage of(double[] data) {
        return wrapArray(DType.F64, data);
    }

    public static CpuStorage of(int[] data) {
        return wrapArray(DType.I32, data);
    }

    public static CpuStorage of(long[] data) {
        return wrapArray(DType.I64, data);
    }

    /** BOOL storage over bytes that are 0 or 1. */
    public static CpuStorage ofBool(byte[] data) {
        return wrapArray(DType.BOOL, data);
    }

    /** BF16 or F16 storage over raw 16-bit patterns. */
    public static CpuStorage ofHalf(DType dtype, short[] bits) {
        if (dtype != DType.BF16 && dtype != DType.F16) throw new IllegalArgumentException("not a 16-bit float: " + dtype);
        return wrapArray(dtype, bits);
    }

    private static CpuStorage wrapArray(DType dtype, Object array) {
        MemorySegment seg = switch (array) {
            case float[] a -> MemorySegment.ofArray(a);
            case double[] a -> MemorySegment.ofArray(a);
            case short[] a -> MemorySegment.ofArray(a);
            case int[] a -> MemorySegment.ofArray(a);
            case long[] a -> MemorySegment.ofArray(a);
            case byte[] a -> MemorySegment.ofArray(a);
            default -> throw new IllegalArgumentException("unsupported array " + array.getClass());
        };
        return new CpuStorage(dtype, seg.byteSize() / dtype.byteSize(), seg, array, null);
    }

    /**
     * Storage over an existing segment (a memory-mapped file region, native memory). {@code owner} is kept
     * reachable as long as this storage is, e.g. the object that closes the mapping's arena.
     */
    public static CpuStorage wrap(DType dtype, MemorySegment segment, Object owner) {
        if (dtype == DType.Q8_0) throw new IllegalArgumentException("Q8_0 storage needs its scales: use CpuStorage.q8");
        if (segment.byteSize() % dtype.byteSize() != 0) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is not a whole number of "
                    + dtype + " elements");
        }
        return new CpuStorage(dtype, segment.byteSize() / dtype.byteSize(), segment, null, owner);
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    public MemorySegment segment() {
        return segment;
    }

    /** The backing float[] when this is heap F32 storage, else null. */
    public float[] floats() {
        return array instanceof float[] a ? a : null;
    }

    public double[] doubles() {
        return array instanceof double[] a ? a : null;
    }

    public int[] ints() {
        return array instanceof int[] a ? a : null;
    }

    public long[] longs() {
        return array instanceof long[] a ? a : null;
    }

    public byte[] bytes() {
        return array instanceof byte[] a ? a : null;
    }

    /** The per-block scales of Q8_0 storage, else null. */
    public float[] scales() {
        return scales;
    }

    Object owner() {
        return owner;
    }

    // ---- element access, converting from/to the storage dtype. For generic (non fast-path) code. ----

    public float getFloat(long i) {
        return switch (dtype()) {
            case F32 -> segment.getAtIndex(F32, i);
            case F64 -> (float) segment.getAtIndex(F64, i);
            case BF16 -> Half.bf16ToFloat(segment.getAtIndex(I16, i));
            case F16 -> Float.float16ToFloat(segment.getAtIndex(I16, i));
            case I32 -> segment.getAtIndex(I32, i);
            case I64 -> segment.getAtIndex(I64, i);
            case BOOL -> segment.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1f : 0f;
            case Q8_0 -> segment.get(ValueLayout.JAVA_BYTE, i) * scales[(int) (i / DType.Q8_BLOCK)];
        };
    }

    public double getDouble(long i) {
        return switch (dtype()) {
            case F64 -> segment.getAtIndex(F64, i);
            case I64 -> segment.getAtIndex(I64, i);
            default -> getFloat(i);
        };
    }

    public long getLong(long i) {
        return switch (dtype()) {
            case I32 -> segment.getAtIndex(I32, i);
            case I64 -> segment.getAtIndex(I64, i);
            case BOOL -> segment.get(ValueLayout.JAVA_BYTE, i);
            case F64 -> (long) segment.getAtIndex(F64, i);
            default -> (long) getFloat(i);
        };
    }

    public void setFloat(long i, float v) {
        switch (dtype()) {
            case Q8_0 -> throw readOnlyQ8();
            case F32 -> segment.setAtIndex(F32, i, v);
            case F64 -> segment.setAtIndex(F64, i, v);
            case BF16 -> segment.setAtIndex(I16, i, Half.floatToBf16(v));
            case F16 -> segment.setAtIndex(I16, i, Float.floatToFloat16(v));
            case I32 -> segment.setAtIndex(I32, i, (int) v);
            case I64 -> segment.setAtIndex(I64, i, (long) v);
            case BOOL -> segment.set(ValueLayout.JAVA_BYTE, i, v != 0 ? (byte) 1 : 0);
        }
    }

    public void setDouble(long i, double v) {
        switch (dtype()) {
            case Q8_0 -> throw readOnlyQ8();
            case F64 -> segment.setAtIndex(F64, i, v);
            case I64 -> segment.setAtIndex(I64, i, (long) v);
            case I32 -> segment.setAtIndex(I32, i, (int) v);
            default -> setFloat(i, (float) v);
        }
    }

    public void setLong(long i, long v) {
        switch (dtype()) {
            case Q8_0 -> throw readOnlyQ8();
            case I32 -> segment.setAtIndex(I32, i, (int) v);
            case I64 -> segment.setAtIndex(I64, i, v);
            case BOOL -> segment.set(ValueLayout.JAVA_BYTE, i, v != 0 ? (byte) 1 : 0);
            case F64 -> segment.setAtIndex(F64, i, v);
            default -> setFloat(i, v);
        }
    }

    private static IllegalArgumentException readOnlyQ8() {
        return new IllegalArgumentException("Q8_0 storage is read-only: elements cannot be written one by one "
                + "(quantize a whole tensor with to(DType.Q8_0))");
    }
}

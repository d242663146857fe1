package org.crs4j.tensor;

/**
 * Element types. Arithmetic is done in F32 (F64 where an operand is F64, e.g. for gradient checks);
 * BF16 and F16 are storage types that compute converts to F32; I32/I64 hold indices; BOOL holds masks.
 *
 * <p>{@link #Q8_0} is a block-quantized storage type for model weights (llama.cpp's Q8_0 scheme): the elements of a
 * storage are cut into blocks of {@link #Q8_BLOCK} consecutive elements, each stored as one signed byte times a
 * per-block F32 scale. It is a storage format only, like BF16: every op reads it dequantized to F32 (the matrix-vector
 * and GEMM kernels do so in registers), and a tensor becomes Q8_0 only through {@code to(DType.Q8_0)}, which
 * quantizes. It has no safetensors name: checkpoints stay in their own dtypes and are quantized when loaded.
 */
public enum DType {
    F32(4, "F32"),
    F64(8, "F64"),
    BF16(2, "BF16"),
    F16(2, "F16"),
    I32(4, "I32"),
    I64(8, "I64"),
    BOOL(1, "BOOL"),
    /** 8-bit block quantization: byteSize counts the int8 quants; each block of 32 also has a 4-byte F32 scale. */
    Q8_0(1, null);

    /** Elements per Q8_0 block (one scale each). */
    public static final int Q8_BLOCK = 32;

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The dtype string used in safetensors headers ("F32", "BF16", ...); null for Q8_0, which safetensors lacks. */
    public String safetensorsName() {
        return safetensorsName;
    }

    public boolean isFloating() {
        return this == F32 || this == F64 || this == BF16 || this == F16 || this == Q8_0;
    }

    public boolean isInteger() {
        return this == I32 || this == I64;
    }

    /** Returns the dtype for a safetensors dtype string, or null when crs4j does not support it. */
    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName != null && t.safetensorsName.equals(name)) return t;
        }
        return null;
    }

    /**
     * The dtype an arithmetic op between a and b produces: F64 wins, any other float gives F32 (the compute type),
     * integers widen to I64 unless both are I32, BOOL with BOOL stays BOOL only for logical ops (callers decide).
     */
    public static DType promote(DType a, DType b) {
        if (a == F64 || b == F64) return F64;
        if (a.isFloating() || b.isFloating()) return F32;
        if (a == I64 || b == I64) return I64;
        if (a == I32 || b == I32) return I32;
        return BOOL;
    }

    /**
     * Bytes that {@code elements} elements of this dtype occupy in storage (Q8_0: the quants plus one F32 scale per
     * started block).
     */
    public long storageBytes(long elements) {
        return this == Q8_0 ? elements + 4 * ((elements + Q8_BLOCK - 1) / Q8_BLOCK) : elements * byteSize;
    }

    /** The dtype a floating-point op (exp, softmax, ...) computes in and returns for an input of this dtype. */
    public DType computeType() {
        return this == F64 ? F64 : F32;
    }
}

package org.crs4j.tensor;

/**
 * Element types. Arithmetic is done in F32 (F64 where an operand is F64, e.g. for gradient checks);
 * BF16 and F16 are storage types that compute converts to F32; I32/I64 hold indices; BOOL holds masks.
 */
public enum DType {
    F32(4, "F32"),
    F64(8, "F64"),
    BF16(2, "BF16"),
    F16(2, "F16"),
    I32(4, "I32"),
    I64(8, "I64"),
    BOOL(1, "BOOL");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The dtype string used in safetensors headers ("F32", "BF16", ...). */
    public String safetensorsName() {
        return safetensorsName;
    }

    public boolean isFloating() {
        return this == F32 || this == F64 || this == BF16 || this == F16;
    }

    public boolean isInteger() {
        return this == I32 || this == I64;
    }

    /** Returns the dtype for a safetensors dtype string, or null when crs4j does not support it. */
    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) return t;
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

    /** The dtype a floating-point op (exp, softmax, ...) computes in and returns for an input of this dtype. */
    public DType computeType() {
        return this == F64 ? F64 : F32;
    }
}

package org.crs4j.tensor;

/** Element-wise functions of two broadcast arguments. Comparisons and logical ops return BOOL tensors. */
public enum BinaryOp {
    ADD { public double apply(double a, double b) { return a + b; } },
    SUB { public double apply(double a, double b) { return a - b; } },
    MUL { public double apply(double a, double b) { return a * b; } },
    DIV { public double apply(double a, double b) { return a / b; } },
    /** Element-wise maximum; NaN propagates, as in torch.maximum. */
    MAX { public double apply(double a, double b) { return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b); } },
    MIN { public double apply(double a, double b) { return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b); } },
    POW { public double apply(double a, double b) { return Math.pow(a, b); } },
    EQ { public double apply(double a, double b) { return a == b ? 1 : 0; } },
    NE { public double apply(double a, double b) { return a != b ? 1 : 0; } },
    LT { public double apply(double a, double b) { return a < b ? 1 : 0; } },
    LE { public double apply(double a, double b) { return a <= b ? 1 : 0; } },
    GT { public double apply(double a, double b) { return a > b ? 1 : 0; } },
    GE { public double apply(double a, double b) { return a >= b ? 1 : 0; } },
    AND { public double apply(double a, double b) { return a != 0 && b != 0 ? 1 : 0; } },
    OR { public double apply(double a, double b) { return a != 0 || b != 0 ? 1 : 0; } };

    public abstract double apply(double a, double b);

    /** True for ops whose result is a BOOL mask. */
    public boolean isPredicate() {
        return ordinal() >= EQ.ordinal();
    }

    /** The dtype of {@code a op b}. */
    public DType resultType(DType a, DType b) {
        if (isPredicate()) return DType.BOOL;
        DType t = DType.promote(a, b);
        if (this == DIV && !t.isFloating()) return DType.F32; // true division, as in torch
        if (t == DType.BOOL) return DType.I64; // arithmetic on masks counts
        return t;
    }
}

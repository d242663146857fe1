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
    // The backward passes of activations, a = the output's gradient g: one pass and one output instead of the five
    // to seven temporaries of the composed formulas (torch has the same kernels: silu_backward, gelu_backward, ...).
    /** g · relu'(x) for b = x: g where x > 0, else 0. */
    RELU_BACKWARD { public double apply(double g, double x) { return x > 0 ? g : 0.0; } },
    /** g · sigmoid'(x) for b = y = sigmoid(x): g y (1 - y). */
    SIGMOID_BACKWARD { public double apply(double g, double y) { return g * y * (1 - y); } },
    /** g · tanh'(x) for b = y = tanh(x): g (1 - y²). */
    TANH_BACKWARD { public double apply(double g, double y) { return g * (1 - y * y); } },
    /** g · silu'(x) for b = x: g s (1 + x (1 - s)), s = sigmoid(x). */
    SILU_BACKWARD {
        public double apply(double g, double x) {
            double s = UnaryOp.SIGMOID.apply(x);
            return g * s * (1 + x * (1 - s));
        }
    },
    /** g · gelu'(x) for b = x (exact GELU): g (Φ(x) + x φ(x)). */
    GELU_BACKWARD {
        public double apply(double g, double x) {
            double cdf = 0.5 * (1 + Erf.erf(x / Math.sqrt(2))), pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            return g * (cdf + x * pdf);
        }
    },
    /** g · gelu_tanh'(x) for b = x: with u = c (x + 0.044715 x³), t = tanh(u), g (½(1 + t) + ½ x (1 - t²) du/dx). */
    GELU_TANH_BACKWARD {
        public double apply(double g, double x) {
            double c = Math.sqrt(2 / Math.PI), t = Math.tanh(c * (x + 0.044715 * x * x * x));
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x));
        }
    },
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

    /** True for the activation-gradient ops (RELU_BACKWARD ... GELU_TANH_BACKWARD). */
    public boolean isActivationBackward() {
        return ordinal() >= RELU_BACKWARD.ordinal() && ordinal() <= GELU_TANH_BACKWARD.ordinal();
    }

    /** The dtype of {@code a op b}. */
    public DType resultType(DType a, DType b) {
        if (isPredicate()) return DType.BOOL;
        DType t = DType.promote(a, b);
        if ((this == DIV || isActivationBackward()) && !t.isFloating()) return DType.F32; // true division, as in torch
        if (t == DType.BOOL) return DType.I64; // arithmetic on masks counts
        return t;
    }
}

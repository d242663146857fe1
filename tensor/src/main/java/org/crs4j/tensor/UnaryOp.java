package org.crs4j.tensor;

/**
 * Element-wise functions of one argument. The double formula here is the definition every backend follows
 * (the CPU backend's F64 path uses it as is; its F32 path and the CUDA kernels implement the same function).
 */
public enum UnaryOp {
    NEG {
        public double apply(double x) { return -x; }
    },
    ABS {
        public double apply(double x) { return Math.abs(x); }
    },
    SIGN {
        public double apply(double x) { return Math.signum(x); }
    },
    EXP {
        public double apply(double x) { return Math.exp(x); }
    },
    LOG {
        public double apply(double x) { return Math.log(x); }
    },
    SQRT {
        public double apply(double x) { return Math.sqrt(x); }
    },
    RSQRT {
        public double apply(double x) { return 1.0 / Math.sqrt(x); }
    },
    RECIPROCAL {
        public double apply(double x) { return 1.0 / x; }
    },
    SQUARE {
        public double apply(double x) { return x * x; }
    },
    TANH {
        public double apply(double x) { return Math.tanh(x); }
    },
    SIGMOID {
        public double apply(double x) { return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x)); }
    },
    RELU {
        public double apply(double x) { return x > 0 ? x : 0.0; }
    },
    /** GELU with the exact Gaussian CDF: x * Phi(x). */
    GELU {
        public double apply(double x) { return 0.5 * x * (1.0 + Erf.erf(x / Math.sqrt(2.0))); }
    },
    /** GELU's tanh approximation ("gelu_new", used by T5 v1.1 / Flan-T5). */
    GELU_TANH {
        public double apply(double x) {
            return 0.5 * x * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));
        }
    },
    SILU {
        public double apply(double x) { return x * SIGMOID.apply(x); }
    },
    SIN {
        public double apply(double x) { return Math.sin(x); }
    },
    COS {
        public double apply(double x) { return Math.cos(x); }
    },
    ERF {
        public double apply(double x) { return Erf.erf(x); }
    };

    public abstract double apply(double x);
}

package org.crs4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.crs4j.tensor.BinaryOp;
import org.crs4j.tensor.UnaryOp;

/**
 * The F32 SIMD forms of {@link UnaryOp} and {@link BinaryOp}. Callers switch on the op once per vector; the JIT
 * inlines these small static methods, keeping vectors in registers.
 */
final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    static FloatVector unary(UnaryOp op, FloatVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case ABS -> v.abs();
            case SIGN -> sign(v);
            case EXP -> v.lanewise(VectorOperators.EXP);
            case LOG -> v.lanewise(VectorOperators.LOG);
            case SQRT -> v.sqrt();
            case RSQRT -> FloatVector.broadcast(F, 1f).div(v.sqrt());
            case RECIPROCAL -> FloatVector.broadcast(F, 1f).div(v);
            case SQUARE -> v.mul(v);
            case TANH -> v.lanewise(VectorOperators.TANH);
            case SIGMOID -> sigmoid(v);
            case RELU -> v.max(0f);
            case GELU -> v.mul(0.5f).mul(erf(v.mul((float) (1 / Math.sqrt(2)))).add(1f));
            case GELU_TANH -> geluTanh(v);
            case SILU -> v.mul(sigmoid(v));
            case SIN -> v.lanewise(VectorOperators.SIN);
            case COS -> v.lanewise(VectorOperators.COS);
            case ERF -> erf(v);
        };
    }

    /** Scalar F32 form, for loop tails and strided rows: the definition evaluated in double, rounded once. */
    static float unary(UnaryOp op, float x) {
        return (float) op.apply(x);
    }

    static FloatVector binary(BinaryOp op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.max(b);
            case MIN -> a.min(b);
            case POW -> a.lanewise(VectorOperators.POW, b);
            default -> throw new IllegalArgumentException(op + " has no F32 vector form");
        };
    }

    static float binary(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            default -> (float) op.apply(a, b);
        };
    }

    static boolean predicate(BinaryOp op, float a, float b) {
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
            case AND -> a != 0 && b != 0;
            case OR -> a != 0 || b != 0;
            default -> throw new IllegalArgumentException(op + " is not a predicate");
        };
    }

    private static FloatVector sign(FloatVector v) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector r = zero.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
        return r.blend(v, v.test(VectorOperators.IS_NAN));
    }

    /** 1 / (1 + e^-x): saturates to exactly 0 or 1 without NaN for large |x|. */
    private static FloatVector sigmoid(FloatVector v) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        return one.div(one.add(v.neg().lanewise(VectorOperators.EXP)));
    }

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    private static FloatVector geluTanh(FloatVector x) {
        FloatVector inner = x.mul(x).mul(x).mul(0.044715f).add(x).mul(SQRT_2_OVER_PI);
        return x.mul(0.5f).mul(inner.lanewise(VectorOperators.TANH).add(1f));
    }

    // erf: Taylor series x * sum (-1)^n x^2n / (n! (2n+1)) * 2/sqrt(pi) for |x| <= 1 (keeps relative accuracy near 0),
    // Abramowitz & Stegun 7.1.26 above (absolute error below 1.5e-7, where erf > 0.84).
    private static final float[] TAYLOR = new float[12];
    static {
        double fact = 1;
        for (int n = 0; n < TAYLOR.length; n++) {
            if (n > 0) fact *= n;
            TAYLOR[n] = (float) ((n % 2 == 0 ? 1 : -1) * 2 / Math.sqrt(Math.PI) / (fact * (2 * n + 1)));
        }
    }

    static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector x2 = x.mul(x);
        FloatVector p = FloatVector.broadcast(F, TAYLOR[TAYLOR.length - 1]);
        for (int n = TAYLOR.length - 2; n >= 0; n--) p = p.fma(x2, FloatVector.broadcast(F, TAYLOR[n]));
        FloatVector small = x.mul(p);
        VectorMask<Float> large = ax.compare(VectorOperators.GT, 1f);
        if (!large.anyTrue()) return small;
        FloatVector t = FloatVector.broadcast(F, 1f).div(ax.mul(0.3275911f).add(1f));
        FloatVector poly = t.mul(1.061405429f).add(-1.453152027f).mul(t).add(1.421413741f).mul(t)
                .add(-0.284496736f).mul(t).add(0.254829592f).mul(t);
        FloatVector big = FloatVector.broadcast(F, 1f).sub(poly.mul(x2.neg().lanewise(VectorOperators.EXP)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        return small.blend(big, large);
    }
}

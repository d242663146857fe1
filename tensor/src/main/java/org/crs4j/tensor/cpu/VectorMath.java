package org.crs4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.crs4j.tensor.BinaryOp;
import org.crs4j.tensor.UnaryOp;

/**
 * The F32 SIMD forms of {@link UnaryOp} and {@link BinaryOp}, with scalar twins for loop tails and strided rows.
 *
 * <p>exp, tanh, sigmoid, SiLU, GELU and erf are computed here from +, *, fma and bit manipulation only, never from the
 * Vector API's transcendental operators: those call SVML in C2-compiled code but a Java fallback before, so their
 * last bits changed with JIT warm-up. The scalar twins perform the same IEEE operations in the same order, so an
 * element's value depends neither on compilation tier nor on whether it fell in a vector body or a tail.
 * (log, sin, cos and pow still use the Vector API operators: they are rarer and not on training hot paths.)
 * Callers switch on the op once per vector; the JIT inlines these small static methods.
 */
final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /**
     * Rotations by L/2, L/4, ..., 1 lanes. Adding a vector to its rotation by n puts v[j] + v[j+n] in lane j for j < n,
     * so after every rotation lane 0 holds the pairwise sum of the lanes: a fixed order (exact IEEE adds whatever the
     * JIT does, unlike {@code reduceLanes(ADD)}, whose order is the implementation's and differs between the
     * interpreter and C2, so a sum could change bits as the code warms up), shorter chains than left to right, and no
     * round trip through memory: a vector stored and re-read lane by lane cost 10-20 ns per row in matrix-vector
     * products, about a third of stories260K's decoding time, against 4-7 ns.
     *
     * <p>It is the only lane sum kernels use, and each kernel writes it out where it needs it,
     * {@code for (VectorShuffle<Float> h : HALVES) a = a.add(a.rearrange(h)); sum = a.lane(0);}, instead of calling a
     * helper: an accumulator carried around a loop that reaches a call C2 does not inline is boxed on every iteration
     * of that loop. C2 inlined such a helper or not depending on the machine and the order of compilations; when it
     * did not, the F32 matrix-vector product allocated 75 KB per four rows and ran 2.6 times slower
     * ({@code KernelBoxingTest} checks the kernels with none of crs4j's methods inlined).
     */
    static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int lanes = F.length();
        VectorShuffle<Float>[] h = new VectorShuffle[Integer.numberOfTrailingZeros(lanes)];
        for (int l = 0, n = lanes / 2; n > 0; n >>= 1, l++) {
            int by = n;
            h[l] = VectorShuffle.fromOp(F, i -> (i + by) % lanes);
        }
        return h;
    }

    static FloatVector unary(UnaryOp op, FloatVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case ABS -> v.abs();
            case SIGN -> sign(v);
            case EXP -> exp(v);
            case LOG -> v.lanewise(VectorOperators.LOG);
            case SQRT -> v.sqrt();
            case RSQRT -> FloatVector.broadcast(F, 1f).div(v.sqrt());
            case RECIPROCAL -> FloatVector.broadcast(F, 1f).div(v);
            case SQUARE -> v.mul(v);
            case TANH -> tanh(v);
            case SIGMOID -> sigmoid(v);
            case RELU -> v.max(0f);
            case GELU -> v.mul(0.5f).mul(erf(v.mul(INV_SQRT_2)).add(1f));
            case GELU_TANH -> geluTanh(v);
            case SILU -> v.mul(sigmoid(v));
            case SIN -> v.lanewise(VectorOperators.SIN);
            case COS -> v.lanewise(VectorOperators.COS);
            case ERF -> erf(v);
        };
    }

    /** The scalar twin of {@link #unary(UnaryOp, FloatVector)}. */
    static float unary(UnaryOp op, float x) {
        return switch (op) {
            case EXP -> exp(x);
            case TANH -> tanh(x);
            case SIGMOID -> sigmoid(x);
            case GELU -> x * 0.5f * (erf(x * INV_SQRT_2) + 1f);
            case GELU_TANH -> geluTanh(x);
            case SILU -> x * sigmoid(x);
            case ERF -> erf(x);
            case RSQRT -> 1f / (float) Math.sqrt(x);
            case RECIPROCAL -> 1f / x;
            case SQUARE -> x * x;
            case RELU -> Math.max(x, 0f);
            case SIGN -> Float.isNaN(x) ? x : Math.signum(x);
            default -> (float) op.apply(x);
        };
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
            case RELU_BACKWARD -> a.blend(0f, b.compare(VectorOperators.GT, 0f).not());
            case SIGMOID_BACKWARD -> a.mul(b).mul(FloatVector.broadcast(F, 1f).sub(b));
            case TANH_BACKWARD -> a.mul(FloatVector.broadcast(F, 1f).sub(b.mul(b)));
            case SILU_BACKWARD -> siluBackward(a, b);
            case GELU_BACKWARD -> geluBackward(a, b);
            case GELU_TANH_BACKWARD -> geluTanhBackward(a, b);
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
            case RELU_BACKWARD -> b > 0f ? a : 0f;
            case SIGMOID_BACKWARD -> a * b * (1f - b);
            case TANH_BACKWARD -> a * (1f - b * b);
            case SILU_BACKWARD -> siluBackward(a, b);
            case GELU_BACKWARD -> geluBackward(a, b);
            case GELU_TANH_BACKWARD -> geluTanhBackward(a, b);
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

    // ------------------------------------------------------------------ exp (Cephes expf)
    // e^x = 2^n e^r, n = round(x log2 e), r = x - n ln 2 (in two parts), e^r by a degree-6 polynomial; relative error
    // about 1 ulp. Results below the smallest normal float flush to 0; above 88.72 they are +inf.

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float EXP_HI = 88.72283905206835f, EXP_LO = -87.33654475f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: adding and subtracting it rounds to an integer
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector n = xc.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = xc.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector z = r.mul(r);
        FloatVector p = r.mul(P0).add(P1).mul(r).add(P2).mul(r).add(P3).mul(r).add(P4).mul(r).add(P5);
        FloatVector y = p.mul(z).add(r).add(1f);
        IntVector ni = (IntVector) n.convert(VectorOperators.F2I, 0);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
        y = y.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        y = y.blend(0f, x.compare(VectorOperators.LT, EXP_LO));
        y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
        return y.blend(x, x.test(VectorOperators.IS_NAN));
    }

    static float exp(float x) {
        if (Float.isNaN(x)) return x;
        if (x < EXP_LO) return 0f;
        if (x > EXP_HI) return Float.POSITIVE_INFINITY;
        float n = x * LOG2E + ROUND - ROUND;
        float r = x - n * LN2_HI - n * LN2_LO;
        float z = r * r;
        float p = ((((r * P0 + P1) * r + P2) * r + P3) * r + P4) * r + P5;
        float y = p * z + r + 1f;
        int ni = (int) n, n1 = ni >> 1, n2 = ni - n1;
        return y * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    // ------------------------------------------------------------------ tanh (Cephes tanhf)
    // |x| < 0.625: x + x^3 P(x^2); else sign(x) (1 - 2 / (e^{2|x|} + 1)).

    private static final float T0 = -5.70498872745e-3f, T1 = 2.06390887954e-2f, T2 = -5.37397155531e-2f,
            T3 = 1.33314422036e-1f, T4 = -3.33332819422e-1f;

    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector z = x.mul(x);
        FloatVector small = z.mul(T0).add(T1).mul(z).add(T2).mul(z).add(T3).mul(z).add(T4).mul(z).mul(x).add(x);
        VectorMask<Float> large = ax.compare(VectorOperators.GE, 0.625f);
        if (!large.anyTrue()) return small;
        FloatVector big = FloatVector.broadcast(F, 1f).sub(FloatVector.broadcast(F, 2f).div(exp(ax.add(ax)).add(1f)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        return small.blend(big, large);
    }

    static float tanh(float x) {
        float ax = Math.abs(x);
        if (ax >= 0.625f) {
            float big = 1f - 2f / (exp(ax + ax) + 1f);
            return x < 0f ? -big : big;
        }
        float z = x * x;
        return ((((z * T0 + T1) * z + T2) * z + T3) * z + T4) * z * x + x;
    }

    // ------------------------------------------------------------------ sigmoid, GELU (tanh form)

    /** 1 / (1 + e^-x): saturates to exactly 0 or 1 without NaN for large |x|. */
    private static FloatVector sigmoid(FloatVector v) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        return one.div(one.add(exp(v.neg())));
    }

    private static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final float INV_SQRT_2 = (float) (1 / Math.sqrt(2));

    private static FloatVector geluTanh(FloatVector x) {
        FloatVector inner = x.mul(x).mul(x).mul(0.044715f).add(x).mul(SQRT_2_OVER_PI);
        return x.mul(0.5f).mul(tanh(inner).add(1f));
    }

    private static float geluTanh(float x) {
        float inner = (x * x * x * 0.044715f + x) * SQRT_2_OVER_PI;
        return x * 0.5f * (tanh(inner) + 1f);
    }

    // ------------------------------------------------------------------ activation gradients (a = g, b = x)

    private static FloatVector siluBackward(FloatVector g, FloatVector x) {
        FloatVector s = sigmoid(x), one = FloatVector.broadcast(F, 1f);
        return g.mul(s).mul(x.mul(one.sub(s)).add(one));
    }

    private static float siluBackward(float g, float x) {
        float s = sigmoid(x);
        return g * s * (x * (1f - s) + 1f);
    }

    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    private static FloatVector geluBackward(FloatVector g, FloatVector x) {
        FloatVector cdf = erf(x.mul(INV_SQRT_2)).add(1f).mul(0.5f);
        FloatVector pdf = exp(x.mul(x).mul(-0.5f)).mul(INV_SQRT_2PI);
        return g.mul(x.mul(pdf).add(cdf));
    }

    private static float geluBackward(float g, float x) {
        float cdf = (erf(x * INV_SQRT_2) + 1f) * 0.5f;
        float pdf = exp(x * x * -0.5f) * INV_SQRT_2PI;
        return g * (x * pdf + cdf);
    }

    private static FloatVector geluTanhBackward(FloatVector g, FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector t = tanh(x2.mul(x).mul(0.044715f).add(x).mul(SQRT_2_OVER_PI));
        FloatVector du = x2.mul(3 * 0.044715f).add(1f).mul(SQRT_2_OVER_PI);
        FloatVector one = FloatVector.broadcast(F, 1f);
        return g.mul(t.add(1f).mul(0.5f).add(x.mul(0.5f).mul(one.sub(t.mul(t))).mul(du)));
    }

    private static float geluTanhBackward(float g, float x) {
        float x2 = x * x;
        float t = tanh((x2 * x * 0.044715f + x) * SQRT_2_OVER_PI);
        float du = (x2 * (3 * 0.044715f) + 1f) * SQRT_2_OVER_PI;
        return g * ((t + 1f) * 0.5f + x * 0.5f * (1f - t * t) * du);
    }

    // ------------------------------------------------------------------ erf
    // Taylor series x * sum (-1)^n x^2n / (n! (2n+1)) * 2/sqrt(pi) for |x| <= 1 (keeps relative accuracy near 0),
    // Abramowitz & Stegun 7.1.26 above (absolute error below 1.5e-7, where erf > 0.84).

    private static final float[] TAYLOR = new float[12];
    static {
        double fact = 1;
        for (int n = 0; n < TAYLOR.length; n++) {
            if (n > 0) fact *= n;
            TAYLOR[n] = (float) ((n % 2 == 0 ? 1 : -1) * 2 / Math.sqrt(Math.PI) / (fact * (2 * n + 1)));
        }
    }

    private static final float A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f,
            A5 = 1.061405429f, AP = 0.3275911f;

    static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector x2 = x.mul(x);
        FloatVector p = FloatVector.broadcast(F, TAYLOR[TAYLOR.length - 1]);
        for (int n = TAYLOR.length - 2; n >= 0; n--) p = p.fma(x2, FloatVector.broadcast(F, TAYLOR[n]));
        FloatVector small = x.mul(p);
        VectorMask<Float> large = ax.compare(VectorOperators.GT, 1f);
        if (!large.anyTrue()) return small;
        FloatVector t = FloatVector.broadcast(F, 1f).div(ax.mul(AP).add(1f));
        FloatVector poly = t.mul(A5).add(A4).mul(t).add(A3).mul(t).add(A2).mul(t).add(A1).mul(t);
        FloatVector big = FloatVector.broadcast(F, 1f).sub(poly.mul(exp(x2.neg())));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        return small.blend(big, large);
    }

    static float erf(float x) {
        float ax = Math.abs(x);
        float x2 = x * x;
        if (!(ax > 1f)) {
            float p = TAYLOR[TAYLOR.length - 1];
            for (int n = TAYLOR.length - 2; n >= 0; n--) p = Math.fma(p, x2, TAYLOR[n]);
            return x * p;
        }
        float t = 1f / (ax * AP + 1f);
        float poly = ((((t * A5 + A4) * t + A3) * t + A2) * t + A1) * t;
        float big = 1f - poly * exp(-x2);
        return x < 0f ? -big : big;
    }
}

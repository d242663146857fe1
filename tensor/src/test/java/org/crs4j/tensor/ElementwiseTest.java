package org.crs4j.tensor;

import static org.crs4j.tensor.testing.TensorAssertions.assertClose;
import static org.crs4j.tensor.testing.TensorAssertions.assertExact;
import static org.junit.jupiter.api.Assertions.*;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.apache.commons.math3.special.Erf;
import org.crs4j.tensor.testing.Devices;
import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

@ParameterizedClass
@MethodSource("org.crs4j.tensor.testing.Devices#all")
class ElementwiseTest {
    private final Device device;
    private final RandomTensors random;

    ElementwiseTest(Device device) {
        this.device = device;
        this.random = new RandomTensors(42, device);
    }

    @BeforeEach
    void deviceIsUsable() {
        Devices.assumeUsable(device, "ElementwiseTest");
    }

    /** Independent double-precision definitions (commons-math erf, not the engine's). */
    static final Map<UnaryOp, DoubleUnaryOperator> REF = new EnumMap<>(UnaryOp.class);
    static {
        REF.put(UnaryOp.NEG, x -> -x);
        REF.put(UnaryOp.ABS, Math::abs);
        REF.put(UnaryOp.SIGN, Math::signum);
        REF.put(UnaryOp.EXP, Math::exp);
        REF.put(UnaryOp.LOG, Math::log);
        REF.put(UnaryOp.SQRT, Math::sqrt);
        REF.put(UnaryOp.RSQRT, x -> 1 / Math.sqrt(x));
        REF.put(UnaryOp.RECIPROCAL, x -> 1 / x);
        REF.put(UnaryOp.SQUARE, x -> x * x);
        REF.put(UnaryOp.TANH, Math::tanh);
        REF.put(UnaryOp.SIGMOID, x -> 1 / (1 + Math.exp(-x)));
        REF.put(UnaryOp.RELU, x -> Math.max(x, 0));
        REF.put(UnaryOp.GELU, x -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2))));
        REF.put(UnaryOp.GELU_TANH, x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
        REF.put(UnaryOp.SILU, x -> x / (1 + Math.exp(-x)));
        REF.put(UnaryOp.SIN, Math::sin);
        REF.put(UnaryOp.COS, Math::cos);
        REF.put(UnaryOp.ERF, Erf::erf);
    }

    private static double[] domain(UnaryOp op) {
        return switch (op) {
            case LOG, SQRT, RSQRT -> new double[] {0.01, 50};
            case RECIPROCAL -> new double[] {0.05, 5};
            case EXP -> new double[] {-20, 20};
            default -> new double[] {-6, 6};
        };
    }

    @Test
    void everyUnaryOpMatchesTheReferenceOnRandomViews() {
        assertEquals(UnaryOp.values().length, REF.size(), "every op has a reference");
        for (UnaryOp op : UnaryOp.values()) {
            for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F64}) {
                for (int trial = 0; trial < 4; trial++) {
                    int[] shape = random.shape(random.nextInt(0, 3), trial == 0 ? 0 : 1, 37);
                    double[] d = domain(op);
                    Tensor x = random.uniform(shape, dtype, d[0], d[1]);
                    Tensor y = x.apply(op);
                    assertEquals(dtype == DType.F64 ? DType.F64 : DType.F32, y.dtype(), op + " result dtype");
                    double rtol = dtype == DType.F64 ? 1e-12 : 3e-6, atol = dtype == DType.F64 ? 1e-14 : 3e-7;
                    assertClose(Ref.of(x).map(REF.get(op)), y, rtol, atol, op + " " + dtype + " trial " + trial);
                }
            }
        }
    }

    @Test
    void unaryOpsOnSpecialValues() {
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-30f, -1e-30f,
                80f, -80f, 1e30f, -1e30f, 0.5f, -3f, 1e-4f, -1e-4f, 0.99f, 1.01f};
        // pad so the SIMD body (not only the scalar tail) sees them
        float[] data = new float[64];
        for (int i = 0; i < data.length; i++) data[i] = special[i % special.length];
        Tensor x = Tensor.of(data, 64);
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.RELU, UnaryOp.ABS,
                UnaryOp.SIGN, UnaryOp.GELU, UnaryOp.GELU_TANH, UnaryOp.SILU, UnaryOp.ERF, UnaryOp.NEG, UnaryOp.SQUARE}) {
            Ref expected = Ref.of(x).map(REF.get(op));
            // at -inf, GELU and SILU are -inf * 0 = NaN, as in torch (the reference computes the same)
            Tensor y = x.apply(op);
            Ref got = Ref.of(y);
            for (int i = 0; i < data.length; i++) {
                double e = (float) expected.data[i], g = got.data[i]; // F32 results: overflow to inf is right
                if (Float.isNaN(data[i])) {
                    assertTrue(Double.isNaN(g), op + "(NaN) must be NaN, was " + g);
                } else if (Double.isInfinite(e) || Double.isNaN(e)) {
                    assertEquals(e, g, op + "(" + data[i] + ")");
                } else {
                    assertEquals(e, g, 3e-7 + 3e-6 * Math.abs(e), op + "(" + data[i] + ")");
                }
            }
        }
    }

    @Test
    void integerUnaryOpsStayExact() {
        Tensor x = Tensor.of(new long[] {-3, 0, 5, Long.MAX_VALUE / 2}, 4);
        assertArrayEquals(new long[] {3, 0, -5, -(Long.MAX_VALUE / 2)}, x.neg().toLongArray());
        assertEquals(DType.I64, x.abs().dtype());
        assertEquals(DType.I32, Tensor.of(new int[] {-2, 3}, 2).abs().dtype());
        assertArrayEquals(new int[] {2, 3}, Tensor.of(new int[] {-2, 3}, 2).abs().toIntArray());
        assertEquals(DType.F32, Tensor.of(new int[] {1, 2}, 2).exp().dtype());
        assertEquals(Math.exp(2), Tensor.of(new int[] {1, 2}, 2).exp().get(1), 1e-5);
    }

    private static final Map<BinaryOp, DoubleBinaryOperator> BIN = new EnumMap<>(BinaryOp.class);
    static {
        BIN.put(BinaryOp.ADD, Double::sum);
        BIN.put(BinaryOp.SUB, (a, b) -> a - b);
        BIN.put(BinaryOp.MUL, (a, b) -> a * b);
        BIN.put(BinaryOp.DIV, (a, b) -> a / b);
        BIN.put(BinaryOp.MAX, Math::max);
        BIN.put(BinaryOp.MIN, Math::min);
        BIN.put(BinaryOp.POW, Math::pow);
        // activation gradients, from the derivatives written out independently of BinaryOp's formulas
        BIN.put(BinaryOp.RELU_BACKWARD, (g, x) -> x > 0 ? g : 0);
        BIN.put(BinaryOp.SIGMOID_BACKWARD, (g, y) -> g * (y - y * y));
        BIN.put(BinaryOp.TANH_BACKWARD, (g, y) -> g - g * y * y);
        BIN.put(BinaryOp.SILU_BACKWARD, (g, x) -> g * (sigma(x) + x * sigma(x) * sigma(-x))); // d/dx x σ(x)
        BIN.put(BinaryOp.GELU_BACKWARD, (g, x) -> g * (0.5 * (1 + Erf.erf(x / Math.sqrt(2))) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI)));
        BIN.put(BinaryOp.GELU_TANH_BACKWARD, (g, x) -> {
            double c = Math.sqrt(2 / Math.PI), u = c * (x + 0.044715 * x * x * x), sech = 1 / Math.cosh(u);
            return g * (0.5 * (1 + Math.tanh(u)) + 0.5 * x * sech * sech * c * (1 + 0.134145 * x * x));
        });
        BIN.put(BinaryOp.EQ, (a, b) -> a == b ? 1 : 0);
        BIN.put(BinaryOp.NE, (a, b) -> a != b ? 1 : 0);
        BIN.put(BinaryOp.LT, (a, b) -> a < b ? 1 : 0);
        BIN.put(BinaryOp.LE, (a, b) -> a <= b ? 1 : 0);
        BIN.put(BinaryOp.GT, (a, b) -> a > b ? 1 : 0);
        BIN.put(BinaryOp.GE, (a, b) -> a >= b ? 1 : 0);
        BIN.put(BinaryOp.AND, (a, b) -> a != 0 && b != 0 ? 1 : 0);
        BIN.put(BinaryOp.OR, (a, b) -> a != 0 || b != 0 ? 1 : 0);
    }

    /** The logistic function without overflow for either sign. */
    private static double sigma(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /** Two shapes that broadcast to a random shape: dims randomly set to 1 or dropped from the front. */
    private int[][] broadcastPair() {
        int[] out = random.shape(random.nextInt(0, 4), 0, 9);
        int[][] pair = new int[2][];
        for (int k = 0; k < 2; k++) {
            int drop = random.nextInt(0, out.length);
            int[] s = java.util.Arrays.copyOfRange(out, drop, out.length);
            for (int i = 0; i < s.length; i++) if (random.rng().nextInt(3) == 0) s[i] = 1;
            pair[k] = s;
        }
        return pair;
    }

    private Tensor operand(int[] shape, DType dtype, BinaryOp op, boolean right) {
        boolean positive = op == BinaryOp.POW && !right || op == BinaryOp.DIV && right;
        if (dtype == DType.BOOL) return random.mask(shape, 0.5);
        if (dtype.isInteger()) {
            return positive ? random.integers(shape, dtype, 1, 7) : random.integers(shape, dtype, -6, 7);
        }
        if (op == BinaryOp.POW) return right ? random.uniform(shape, dtype, -2, 2) : random.uniform(shape, dtype, 0.1, 3);
        if (positive) return random.uniform(shape, dtype, 0.5, 3);
        // small integers in float tensors make equality comparisons meaningful
        return op.isPredicate() ? random.integers(shape, DType.I64, -2, 3).to(dtype) : random.uniform(shape, dtype, -3, 3);
    }

    @Test
    void everyBinaryOpBroadcastsOverRandomShapesAndDtypes() {
        DType[][] combos = {{DType.F32, DType.F32}, {DType.F32, DType.BF16}, {DType.F16, DType.F32},
                {DType.F64, DType.F32}, {DType.I64, DType.I64}, {DType.I32, DType.I64}, {DType.I64, DType.F32},
                {DType.I32, DType.I32}, {DType.BOOL, DType.BOOL}};
        for (BinaryOp op : BinaryOp.values()) {
            for (DType[] dt : combos) {
                if (op == BinaryOp.POW && dt[0].isInteger() && dt[1].isInteger()) continue; // negative exponents
                for (int trial = 0; trial < 3; trial++) {
                    int[][] shapes = broadcastPair();
                    Tensor a = operand(shapes[0], dt[0], op, false), b = operand(shapes[1], dt[1], op, true);
                    Tensor y = a.apply(op, b);
                    DType expectedType = op.resultType(dt[0], dt[1]);
                    assertEquals(expectedType, y.dtype(), op + " " + dt[0] + "," + dt[1]);
                    boolean f64 = expectedType == DType.F64 || !expectedType.isFloating();
                    assertClose(Ref.zip(Ref.of(a), Ref.of(b), BIN.get(op)), y, f64 ? 1e-12 : 3e-6, f64 ? 0 : 1e-6,
                            op + " " + dt[0] + "," + dt[1] + " shapes " + java.util.Arrays.toString(shapes[0]) + " "
                                    + java.util.Arrays.toString(shapes[1]));
                }
            }
        }
    }

    @Test
    void longRowsTakeTheSimdPathForEveryStridePattern() {
        for (int n : new int[] {1, 7, 16, 17, 64, 1000, 40_000}) {
            Tensor a = random.uniform(new int[] {3, n}, -2, 2), b = random.uniform(new int[] {3, n}, -2, 2);
            Tensor row = random.uniform(new int[] {n}, -2, 2), col = random.uniform(new int[] {3, 1}, -2, 2);
            for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAX, BinaryOp.SUB,
                    BinaryOp.RELU_BACKWARD, BinaryOp.SIGMOID_BACKWARD, BinaryOp.TANH_BACKWARD, BinaryOp.SILU_BACKWARD,
                    BinaryOp.GELU_BACKWARD, BinaryOp.GELU_TANH_BACKWARD}) {
                assertClose(Ref.zip(Ref.of(a), Ref.of(b), BIN.get(op)), a.apply(op, b), 3e-6, 1e-6, op + " same shape n=" + n);
                assertClose(Ref.zip(Ref.of(a), Ref.of(row), BIN.get(op)), a.apply(op, row), 3e-6, 1e-6, op + " row n=" + n);
                assertClose(Ref.zip(Ref.of(col), Ref.of(a), BIN.get(op)), col.apply(op, a), 3e-6, 1e-6, op + " col n=" + n);
                assertClose(Ref.zip(Ref.of(a.mT()), Ref.of(b.mT()), BIN.get(op)), a.mT().apply(op, b.mT()), 3e-6, 1e-6, op + " transposed");
            }
        }
    }

    /** Activation gradients at large |x| saturate (to g or 0) instead of overflowing to NaN, in SIMD bodies and tails. */
    @Test
    void activationGradientsSaturateAtLargeInputs() {
        float[] xs = new float[37];
        for (int i = 0; i < xs.length; i++) xs[i] = (i % 2 == 0 ? 1 : -1) * (float) Math.pow(1.6, i);
        Tensor x = Tensor.of(xs, xs.length), g = random.uniform(new int[] {xs.length}, -2, 2);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.SILU_BACKWARD, BinaryOp.GELU_BACKWARD, BinaryOp.GELU_TANH_BACKWARD,
                BinaryOp.RELU_BACKWARD}) {
            assertClose(Ref.zip(Ref.of(g), Ref.of(x), BIN.get(op)), g.apply(op, x), 3e-6, 1e-6, op + " at large |x|");
        }
    }

    @Test
    void scalarsKeepIntegerArithmeticExact() {
        Tensor ids = Tensor.of(new long[] {1L << 60, 3}, 2);
        assertArrayEquals(new long[] {(1L << 60) + 1, 4}, ids.add(1).toLongArray());
        assertEquals(DType.I64, ids.mul(2).dtype());
        assertEquals(DType.F32, ids.mul(0.5).dtype());
        assertEquals(DType.F32, ids.div(2).dtype(), "true division");
        assertEquals(1.5, Tensor.of(new long[] {3}, 1).div(2).get(0));
        assertEquals(DType.F64, Tensor.of(new double[] {1}, 1).add(1e-300).dtype());
    }

    @Test
    void whereAndMaskedFillBroadcast() {
        for (int trial = 0; trial < 20; trial++) {
            int[][] s1 = broadcastPair(), s2 = broadcastPair();
            Tensor cond = random.mask(s1[0], 0.4);
            Tensor a = random.uniform(s1[1], -1, 1);
            Tensor b = random.uniform(s2[0], DType.BF16, -1, 1);
            Tensor y;
            try {
                y = Tensor.where(cond, a, b);
            } catch (IllegalArgumentException notBroadcastable) {
                continue;
            }
            Ref c = Ref.of(cond), ra = Ref.of(a), rb = Ref.of(b);
            int[] shape = Ref.broadcastShape(Ref.broadcastShape(c.shape, ra.shape), rb.shape);
            Ref expected = Ref.zeros(shape);
            int[] idx = new int[shape.length];
            for (int i = 0; i < expected.data.length; i++) {
                Ref.unravel(i, shape, idx);
                expected.data[i] = c.atBroadcast(idx) != 0 ? ra.atBroadcast(idx) : rb.atBroadcast(idx);
            }
            assertExact(expected, y, "where trial " + trial);
        }
        Tensor scores = Tensor.vector(1, 2, 3, 4).view(2, 2);
        Tensor masked = scores.maskedFill(Tensor.trilMask(2, 2, 0).not(), Double.NEGATIVE_INFINITY);
        assertEquals(Double.NEGATIVE_INFINITY, masked.get(0, 1));
        assertEquals(4.0, masked.get(1, 1));
        assertEquals(DType.BOOL, Tensor.where(Tensor.ofBool(new boolean[] {true}, 1), Tensor.ofBool(new boolean[] {false}, 1),
                Tensor.ofBool(new boolean[] {true}, 1)).dtype());
    }

    @Test
    void broadcastErrorsNameTheShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    }
}

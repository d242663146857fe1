package org.crs4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.crs4j.tensor.UnaryOp;
import org.junit.jupiter.api.Test;

/**
 * The hand-written transcendental functions: accurate against double-precision Math, and bit-identical between the
 * SIMD form and its scalar twin (the property that makes results independent of JIT tier and loop tails).
 */
class VectorMathTest {
    private static final UnaryOp[] OWN = {UnaryOp.EXP, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.SILU, UnaryOp.GELU,
            UnaryOp.GELU_TANH, UnaryOp.ERF, UnaryOp.RSQRT, UnaryOp.RECIPROCAL, UnaryOp.SQUARE, UnaryOp.RELU, UnaryOp.SIGN};

    private static float[] sweep() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 1 << 16;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (i % 4) {
                case 0 -> (float) (r.nextDouble(-100, 100));
                case 1 -> (float) (r.nextDouble(-3, 3));
                case 2 -> (float) (r.nextGaussian() * 1e-3);
                default -> Float.intBitsToFloat(r.nextInt()); // any bit pattern: NaN, inf, subnormal, huge
            };
        }
        return x;
    }

    /**
     * The lane sum (the HALVES rotations, written out in each kernel; here the row sum's) is the pairwise sum, bit for
     * bit, on cold and on JIT-compiled code alike.
     */
    @Test
    void lanesAreSummedPairwiseInAFixedOrder() {
        SplittableRandom r = new SplittableRandom(11);
        int lanes = VectorMath.F.length();
        float[] v = new float[lanes];
        for (int trial = 0; trial < 200_000; trial++) {
            for (int j = 0; j < lanes; j++) v[j] = (float) ((r.nextDouble() - 0.5) * Math.pow(2, r.nextInt(-20, 20)));
            float[] w = v.clone();
            for (int n = lanes / 2; n > 0; n >>= 1) {
                for (int j = 0; j < n; j++) w[j] += w[j + n];
            }
            float got = Reductions.rowF32(org.crs4j.tensor.ReduceOp.SUM, v, 0, lanes); // one vector: 0 + v, then its lanes
            if (Float.floatToIntBits(got) != Float.floatToIntBits(w[0])) {
                fail("trial " + trial + ": " + got + " != pairwise " + w[0]);
            }
        }
    }

    @Test
    void simdAndScalarFormsAreBitIdentical() {
        float[] x = sweep();
        int lanes = VectorMath.F.length();
        for (UnaryOp op : OWN) {
            for (int i = 0; i + lanes <= x.length; i += lanes) {
                float[] v = new float[lanes];
                VectorMath.unary(op, FloatVector.fromArray(VectorMath.F, x, i)).intoArray(v, 0);
                for (int j = 0; j < lanes; j++) {
                    float s = VectorMath.unary(op, x[i + j]);
                    if (Float.floatToIntBits(s) != Float.floatToIntBits(v[j])) {
                        fail(op + "(" + x[i + j] + "): SIMD " + v[j] + " vs scalar " + s);
                    }
                }
            }
        }
    }

    @Test
    void expAndTanhAreWithinTwoUlpsOfTheCorrectlyRoundedValue() {
        float[] x = sweep();
        for (float v : x) {
            if (Float.isNaN(v)) {
                assertTrue(Float.isNaN(VectorMath.exp(v)));
                continue;
            }
            float e = (float) Math.exp(v), got = VectorMath.exp(v);
            if (e < Float.MIN_NORMAL) assertTrue(got <= Float.MIN_NORMAL, "exp(" + v + ") flushes tiny results");
            else if (Float.isInfinite(e)) assertEquals(Float.POSITIVE_INFINITY, got, "exp(" + v + ")");
            else assertTrue(Math.abs(got - e) <= 2 * Math.ulp(e), "exp(" + v + ") = " + got + ", expected " + e);
            float t = (float) Math.tanh(v), gt = VectorMath.tanh(v);
            assertTrue(Math.abs(gt - t) <= 2 * Math.ulp(t) + 1e-45f, "tanh(" + v + ") = " + gt + ", expected " + t);
        }
    }
}

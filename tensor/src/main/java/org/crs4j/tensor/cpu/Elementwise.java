package org.crs4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import org.crs4j.tensor.BinaryOp;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Shape;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.UnaryOp;

/**
 * Unary, binary and ternary (where) element-wise kernels.
 *
 * <p>Operands are first brought into a compute domain held in a Java array: F32 (float[], SIMD path), F64 (double[],
 * scalar, used by gradient checks) or I64 (long[], exact index arithmetic). Half-precision and memory-mapped inputs
 * are converted once; heap inputs are used in place with their strides, so broadcasting never copies.
 */
final class Elementwise {
    private Elementwise() {}

    private static final int L = VectorMath.F.length();

    // ------------------------------------------------------------------ unary

    static Tensor unary(UnaryOp op, Tensor x) {
        DType xt = x.dtype();
        if (!xt.isFloating() && keepsIntegers(op)) {
            Tensor xin = Operands.heap(x, DType.I64);
            Tensor out = CpuBackend.INSTANCE.zeros(DType.I64, x.shape());
            long[] xa = Operands.longs(xin), ya = Operands.longs(out);
            new Strided(x.shape(), out, xin).forEachRow((o, s, n) -> {
                for (int j = 0; j < n; j++) ya[o[0] + j * s[0]] = longUnary(op, xa[o[1] + j * s[1]]);
            });
            return xt == DType.I32 ? out.to(DType.I32) : out;
        }
        DType ct = xt.computeType();
        Tensor xin = Operands.heap(x, ct);
        Tensor out = CpuBackend.INSTANCE.zeros(ct, x.shape());
        if (ct == DType.F64) {
            double[] xa = Operands.doubles(xin), ya = Operands.doubles(out);
            new Strided(x.shape(), out, xin).forEachRow((o, s, n) -> {
                for (int j = 0; j < n; j++) ya[o[0] + j * s[0]] = op.apply(xa[o[1] + j * s[1]]);
            });
            return out;
        }
        float[] xa = Operands.floats(xin), ya = Operands.floats(out);
        new Strided(x.shape(), out, xin).forEachRow((o, s, n) -> unaryRow(op, xa, o[1], s[1], ya, o[0], n));
        return out;
    }

    private static long longUnary(UnaryOp op, long v) {
        return switch (op) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case SIGN -> Long.signum(v);
            case SQUARE -> v * v;
            case RELU -> Math.max(v, 0);
            default -> throw new IllegalArgumentException(op + " does not keep integers");
        };
    }

    private static boolean keepsIntegers(UnaryOp op) {
        return op == UnaryOp.NEG || op == UnaryOp.ABS || op == UnaryOp.SIGN || op == UnaryOp.SQUARE || op == UnaryOp.RELU;
    }

    /** y[yo + j] = op(x[xo + j * xs]) for j < n (the output row is contiguous). */
    static void unaryRow(UnaryOp op, float[] x, int xo, int xs, float[] y, int yo, int n) {
        int j = 0;
        if (xs == 1) {
            for (int bound = n - L + 1; j < bound; j += L) {
                VectorMath.unary(op, FloatVector.fromArray(VectorMath.F, x, xo + j)).intoArray(y, yo + j);
            }
        }
        for (; j < n; j++) y[yo + j] = VectorMath.unary(op, x[xo + j * xs]);
    }

    // ------------------------------------------------------------------ binary

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(a.shape(), b.shape());
        DType rt = op.resultType(a.dtype(), b.dtype());
        DType domain = domain(DType.promote(a.dtype(), b.dtype()));
        if (!op.isPredicate() && rt.isFloating()) domain = rt;
        Tensor ain = Operands.heap(a, domain).expand(shape), bin = Operands.heap(b, domain).expand(shape);
        Tensor out = CpuBackend.INSTANCE.zeros(op.isPredicate() ? DType.BOOL : domain, shape);
        Strided it = new Strided(shape, out, ain, bin);
        if (op.isPredicate()) {
            byte[] y = Operands.bools(out);
            switch (domain) {
                case F32 -> {
                    float[] xa = Operands.floats(ain), xb = Operands.floats(bin);
                    it.forEachRow((o, s, n) -> {
                        for (int j = 0; j < n; j++) {
                            y[o[0] + j * s[0]] = VectorMath.predicate(op, xa[o[1] + j * s[1]], xb[o[2] + j * s[2]]) ? (byte) 1 : 0;
                        }
                    });
                }
                case F64 -> {
                    double[] xa = Operands.doubles(ain), xb = Operands.doubles(bin);
                    it.forEachRow((o, s, n) -> {
                        for (int j = 0; j < n; j++) y[o[0] + j * s[0]] = (byte) op.apply(xa[o[1] + j * s[1]], xb[o[2] + j * s[2]]);
                    });
                }
                default -> {
                    long[] xa = Operands.longs(ain), xb = Operands.longs(bin);
                    it.forEachRow((o, s, n) -> {
                        for (int j = 0; j < n; j++) y[o[0] + j * s[0]] = longPredicate(op, xa[o[1] + j * s[1]], xb[o[2] + j * s[2]]) ? (byte) 1 : 0;
                    });
                }
            }
            return out;
        }
        switch (domain) {
            case F32 -> {
                float[] xa = Operands.floats(ain), xb = Operands.floats(bin), y = Operands.floats(out);
                it.forEachRow((o, s, n) -> binaryRow(op, xa, o[1], s[1], xb, o[2], s[2], y, o[0], n));
            }
            case F64 -> {
                double[] xa = Operands.doubles(ain), xb = Operands.doubles(bin), y = Operands.doubles(out);
                it.forEachRow((o, s, n) -> {
                    for (int j = 0; j < n; j++) y[o[0] + j * s[0]] = op.apply(xa[o[1] + j * s[1]], xb[o[2] + j * s[2]]);
                });
            }
            default -> {
                long[] xa = Operands.longs(ain), xb = Operands.longs(bin), y = Operands.longs(out);
                it.forEachRow((o, s, n) -> {
                    for (int j = 0; j < n; j++) y[o[0] + j * s[0]] = longOp(op, xa[o[1] + j * s[1]], xb[o[2] + j * s[2]]);
                });
            }
        }
        return rt == DType.I32 ? out.to(DType.I32) : out;
    }

    /** The array domain a dtype computes in: F32, F64 or I64 (integers and masks). */
    static DType domain(DType t) {
        return switch (t) {
            case F64 -> DType.F64;
            case F32, BF16, F16, Q8_0 -> DType.F32;
            default -> DType.I64;
        };
    }

    /** y[yo + j] = a[ao + j * as] op b[bo + j * bs]; strides of 1 and 0 (broadcast) take the SIMD path. */
    static void binaryRow(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] y, int yo, int n) {
        int j = 0;
        if (as == 1 && bs == 1) {
            for (int bound = n - L + 1; j < bound; j += L) {
                VectorMath.binary(op, FloatVector.fromArray(VectorMath.F, a, ao + j), FloatVector.fromArray(VectorMath.F, b, bo + j))
                        .intoArray(y, yo + j);
            }
        } else if (as == 1 && bs == 0) {
            FloatVector vb = FloatVector.broadcast(VectorMath.F, b[bo]);
            for (int bound = n - L + 1; j < bound; j += L) {
                VectorMath.binary(op, FloatVector.fromArray(VectorMath.F, a, ao + j), vb).intoArray(y, yo + j);
            }
        } else if (as == 0 && bs == 1) {
            FloatVector va = FloatVector.broadcast(VectorMath.F, a[ao]);
            for (int bound = n - L + 1; j < bound; j += L) {
                VectorMath.binary(op, va, FloatVector.fromArray(VectorMath.F, b, bo + j)).intoArray(y, yo + j);
            }
        }
        for (; j < n; j++) y[yo + j] = VectorMath.binary(op, a[ao + j * as], b[bo + j * bs]);
    }

    private static long longOp(BinaryOp op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case POW -> (long) Math.pow(a, b);
            case DIV -> throw new IllegalStateException("integer division goes through F32");
            default -> throw new IllegalArgumentException(op + " is not arithmetic");
        };
    }

    private static boolean longPredicate(BinaryOp op, long a, long b) {
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

    // ------------------------------------------------------------------ where

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(cond.shape(), a.shape(), b.shape());
        boolean bothBool = a.dtype() == DType.BOOL && b.dtype() == DType.BOOL;
        DType rt = bothBool ? DType.BOOL : DType.promote(a.dtype(), b.dtype());
        DType domain = bothBool ? DType.I64 : domain(rt);
        Tensor c = Operands.heap(cond, DType.BOOL).expand(shape);
        Tensor ain = Operands.heap(a, domain).expand(shape), bin = Operands.heap(b, domain).expand(shape);
        Tensor out = CpuBackend.INSTANCE.zeros(domain, shape);
        byte[] m = Operands.bools(c);
        Strided it = new Strided(shape, out, c, ain, bin);
        switch (domain) {
            case F32 -> {
                float[] xa = Operands.floats(ain), xb = Operands.floats(bin), y = Operands.floats(out);
                it.forEachRow((o, s, n) -> {
                    for (int j = 0; j < n; j++) y[o[0] + j * s[0]] = m[o[1] + j * s[1]] != 0 ? xa[o[2] + j * s[2]] : xb[o[3] + j * s[3]];
                });
            }
            case F64 -> {
                double[] xa = Operands.doubles(ain), xb = Operands.doubles(bin), y = Operands.doubles(out);
                it.forEachRow((o, s, n) -> {
                    for (int j = 0; j < n; j++) y[o[0] + j * s[0]] = m[o[1] + j * s[1]] != 0 ? xa[o[2] + j * s[2]] : xb[o[3] + j * s[3]];
                });
            }
            default -> {
                long[] xa = Operands.longs(ain), xb = Operands.longs(bin), y = Operands.longs(out);
                it.forEachRow((o, s, n) -> {
                    for (int j = 0; j < n; j++) y[o[0] + j * s[0]] = m[o[1] + j * s[1]] != 0 ? xa[o[2] + j * s[2]] : xb[o[3] + j * s[3]];
                });
            }
        }
        return rt == domain ? out : out.to(rt);
    }
}

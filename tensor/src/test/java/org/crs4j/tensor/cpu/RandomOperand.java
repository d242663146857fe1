package org.crs4j.tensor.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.crs4j.tensor.DType;

/**
 * Random matrix operands for the GEMM and matrix-vector tests, in every storage form the kernels accept, together
 * with the exact values they hold (after BF16/F16 rounding) for the double-precision reference.
 */
final class RandomOperand {
    /** How the elements are stored. */
    enum Kind {
        F32_HEAP, F32_SEGMENT, BF16_HEAP, BF16_SEGMENT, F16_HEAP, F16_SEGMENT, Q8;

        DType dtype() {
            return switch (this) {
                case F32_HEAP, F32_SEGMENT -> DType.F32;
                case BF16_HEAP, BF16_SEGMENT -> DType.BF16;
                case F16_HEAP, F16_SEGMENT -> DType.F16;
                case Q8 -> DType.Q8_0;
            };
        }

        boolean segment() {
            return this == F32_SEGMENT || this == BF16_SEGMENT || this == F16_SEGMENT;
        }
    }

    final MatrixOperand operand;
    /** values[r][c]: the stored element (r, c), exactly, as a double. */
    final double[][] values;

    private RandomOperand(MatrixOperand operand, double[][] values) {
        this.operand = operand;
        this.values = values;
    }

    /**
     * A rows x cols operand, row-major or column-major, with {@code pad} unused elements after each row (column) and
     * {@code offset} unused elements before the first one, filled with values in [-1, 1) (the padding with
     * huge values, so that reading it shows). Segment operands live in {@code arena}.
     */
    static RandomOperand create(SplittableRandom rnd, Kind kind, int rows, int cols, boolean rowMajor, int pad,
                                int offset, Arena arena) {
        return create(rnd, kind, rows, cols, rowMajor, pad, offset, arena, 0f);
    }

    /**
     * With a given padding value ({@code poisonValue} 0 = the default huge one). Q8 operands pad with 4: quantization
     * blocks straddle padding and data, and a huge padding value would leave the data in such blocks all zero.
     */
    private static RandomOperand create(SplittableRandom rnd, Kind kind, int rows, int cols, boolean rowMajor, int pad,
                                        int offset, Arena arena, float poisonValue) {
        int ld = (rowMajor ? cols : rows) + pad;
        int lines = rowMajor ? rows : cols;
        int length = Math.max(1, offset + lines * ld);
        DType dtype = kind.dtype();
        CpuStorage storage;
        if (kind == Kind.Q8) {
            // values are drawn in F32, then the whole storage (padding included) is quantized in blocks of 32
            RandomOperand f = create(rnd, Kind.F32_HEAP, rows, cols, rowMajor, pad, offset, arena, 4f);
            CpuStorage q = (CpuStorage) org.crs4j.tensor.Tensor.of(f.operand.storage(), (int) f.operand.storage().length())
                    .to(DType.Q8_0).storage();
            double[][] values = new double[rows][cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    values[r][c] = q.getFloat(offset + (long) (rowMajor ? r * ld + c : c * ld + r)); // dequantized
                }
            }
            MatrixOperand op = rowMajor ? MatrixOperand.rowMajor(q, offset, rows, cols, Math.max(ld, 1))
                    : MatrixOperand.colMajor(q, offset, rows, cols, Math.max(ld, 1));
            return new RandomOperand(op, values);
        }
        if (kind.segment()) {
            MemorySegment seg = arena.allocate((long) length * dtype.byteSize(), 64);
            storage = CpuStorage.wrap(dtype, seg, arena);
        } else {
            storage = CpuStorage.allocate(dtype, length);
        }
        float poison = poisonValue != 0 ? poisonValue : dtype == DType.F16 ? 60000f : 1e30f; // shows if a kernel reads it
        for (int i = 0; i < length; i++) storage.setFloat(i, poison);
        double[][] values = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long index = offset + (long) (rowMajor ? r * ld + c : c * ld + r);
                storage.setFloat(index, (float) (rnd.nextDouble() * 2 - 1));
                values[r][c] = storage.getFloat(index); // rounded to the storage dtype
            }
        }
        MatrixOperand op = rowMajor ? MatrixOperand.rowMajor(storage, offset, rows, cols, Math.max(ld, 1))
                : MatrixOperand.colMajor(storage, offset, rows, cols, Math.max(ld, 1));
        return new RandomOperand(op, values);
    }

    static float[] randomFloats(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    /** Sanity: the segment kinds really are off-heap. */
    static boolean isNative(MatrixOperand op) {
        return op.storage().segment().isNative();
    }
}

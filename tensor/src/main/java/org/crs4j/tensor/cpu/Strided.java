package org.crs4j.tensor.cpu;

import org.crs4j.tensor.Tensor;

/**
 * Several strided operands walked together over one shape: the iteration that every element-wise CPU kernel shares.
 *
 * <p>The operands are first broadcast to the common shape (stride 0 on broadcast dims); then adjacent dims that are
 * contiguous for every operand are merged and size-1 dims dropped, so that the innermost "row" is as long as
 * possible. Kernels receive one row at a time: the start offset of each operand plus the row's length and each
 * operand's inner stride — a stride of 1 or 0 lets them use vector loads or broadcasts.
 */
final class Strided {
    /** Processes one row: element j of operand i is at offsets[i] + j * innerStrides[i]. */
    @FunctionalInterface
    interface RowKernel {
        void row(int[] offsets, int[] innerStrides, int length);
    }

    private final int[] outerShape;   // merged dims except the innermost
    private final int[][] outerStrides; // [operand][dim]
    private final int[] baseOffsets;
    private final int[] innerStrides;
    private final int innerLength;
    private final int rows;

    /** Operands must already have {@code shape} (use expand for broadcasting). */
    Strided(int[] shape, Tensor... operands) {
        int n = operands.length;
        int[][] strides = new int[n][];
        baseOffsets = new int[n];
        for (int i = 0; i < n; i++) {
            if (!java.util.Arrays.equals(operands[i].shape(), shape)) {
                throw new IllegalArgumentException("operand " + i + " has shape "
                        + java.util.Arrays.toString(operands[i].shape()) + ", expected " + java.util.Arrays.toString(shape));
            }
            strides[i] = operands[i].strides();
            baseOffsets[i] = operands[i].offset();
        }
        // Drop size-1 dims, then merge dim d into d+1 where every operand has stride[d] == stride[d+1] * size[d+1].
        int[] dims = new int[shape.length];
        int[][] st = new int[n][shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            boolean merge = rank > 0;
            for (int i = 0; i < n && merge; i++) {
                merge = st[i][rank - 1] == strides[i][d] * shape[d];
            }
            if (merge) {
                dims[rank - 1] *= shape[d];
                for (int i = 0; i < n; i++) st[i][rank - 1] = strides[i][d];
            } else {
                dims[rank] = shape[d];
                for (int i = 0; i < n; i++) st[i][rank] = strides[i][d];
                rank++;
            }
        }
        boolean empty = false;
        for (int s : shape) empty |= s == 0;
        innerStrides = new int[n];
        if (rank == 0) {
            innerLength = empty ? 0 : 1;
            outerShape = new int[0];
            outerStrides = new int[n][0];
        } else {
            innerLength = dims[rank - 1];
            for (int i = 0; i < n; i++) innerStrides[i] = st[i][rank - 1];
            outerShape = java.util.Arrays.copyOf(dims, rank - 1);
            outerStrides = new int[n][];
            for (int i = 0; i < n; i++) outerStrides[i] = java.util.Arrays.copyOf(st[i], rank - 1);
        }
        long r = empty ? 0 : 1;
        for (int s : outerShape) r *= s;
        rows = (int) r;
    }

    int rows() {
        return rows;
    }

    int innerLength() {
        return innerLength;
    }

    /** Runs the kernel over all rows, in parallel when there is enough work. */
    void forEachRow(RowKernel kernel) {
        if (rows == 0 || innerLength == 0) return;
        int grain = Parallel.grain(innerLength);
        Parallel.forRange(rows, grain, (start, end) -> runRows(start, end, kernel));
    }

    /** Runs the kernel over rows [start, end) on the calling thread. */
    void runRows(int start, int end, RowKernel kernel) {
        if (start >= end || innerLength == 0) return;
        int n = baseOffsets.length, rank = outerShape.length;
        int[] index = new int[rank];
        int[] offsets = baseOffsets.clone();
        // position the counter at row `start`
        int rem = start;
        for (int d = rank - 1; d >= 0; d--) {
            index[d] = rem % outerShape[d];
            rem /= outerShape[d];
            for (int i = 0; i < n; i++) offsets[i] += index[d] * outerStrides[i][d];
        }
        int[] rowOffsets = new int[n];
        for (int r = start; r < end; r++) {
            System.arraycopy(offsets, 0, rowOffsets, 0, n);
            kernel.row(rowOffsets, innerStrides, innerLength);
            for (int d = rank - 1; d >= 0; d--) {
                index[d]++;
                for (int i = 0; i < n; i++) offsets[i] += outerStrides[i][d];
                if (index[d] < outerShape[d]) break;
                for (int i = 0; i < n; i++) offsets[i] -= outerStrides[i][d] * outerShape[d];
                index[d] = 0;
            }
        }
    }
}

package org.crs4j.tensor.cuda;

import java.util.Arrays;

/**
 * The host half of the kernels' {@code struct Layout} (crs4j.cuh): a shape walked in row-major order and, for each of up
 * to four operands, its element strides over that shape. Size-1 dims are dropped and a dim is merged into the next one
 * wherever every operand is contiguous across the pair (the rule of the CPU backend's {@code Strided}), so most views
 * reach a kernel as one or two dims and the kernel's index arithmetic stays short.
 *
 * <p>{@link #toInts()} gives the struct's exact memory image (41 ints: rank, shape[8], stride[4][8]), passed by value as
 * a kernel parameter.
 */
public final class Layout {
    /** Must match MAX_DIMS and MAX_OPERANDS in crs4j.cuh (checked by CudaKernelSourcesTest). */
    public static final int MAX_DIMS = 8, MAX_OPERANDS = 4;

    private final int[] shape;
    private final int[][] strides;

    private Layout(int[] shape, int[][] strides) {
        this.shape = shape;
        this.strides = strides;
    }

    /**
     * The merged layout of operands with the given strides over {@code shape} (each stride array as long as the shape:
     * broadcast dims have stride 0).
     *
     * @throws IllegalArgumentException when more than {@link #MAX_DIMS} dims remain after merging
     */
    public static Layout of(int[] shape, int[]... operandStrides) {
        int n = operandStrides.length;
        if (n == 0 || n > MAX_OPERANDS) throw new IllegalArgumentException("a layout has 1 to " + MAX_OPERANDS + " operands, got " + n);
        for (int[] s : operandStrides) {
            if (s.length != shape.length) {
                throw new IllegalArgumentException("strides " + Arrays.toString(s) + " do not match shape " + Arrays.toString(shape));
            }
        }
        int[] dims = new int[shape.length];
        int[][] st = new int[n][shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            boolean merge = rank > 0;
            for (int i = 0; i < n && merge; i++) merge = st[i][rank - 1] == operandStrides[i][d] * shape[d];
            if (merge) {
                dims[rank - 1] *= shape[d];
                for (int i = 0; i < n; i++) st[i][rank - 1] = operandStrides[i][d];
            } else {
                dims[rank] = shape[d];
                for (int i = 0; i < n; i++) st[i][rank] = operandStrides[i][d];
                rank++;
            }
        }
        if (rank > MAX_DIMS) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " keeps " + rank
                    + " dims after merging; CUDA kernels take at most " + MAX_DIMS);
        }
        int[][] strides = new int[n][];
        for (int i = 0; i < n; i++) strides[i] = Arrays.copyOf(st[i], rank);
        return new Layout(Arrays.copyOf(dims, rank), strides);
    }

    public int rank() {
        return shape.length;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int[] strides(int operand) {
        return strides[operand].clone();
    }

    /** The element offsets of row-major position {@code i}: what the kernels' layout_offsets computes. */
    public long[] offsets(long i) {
        long[] off = new long[strides.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            long c = i % shape[d];
            i /= shape[d];
            for (int k = 0; k < strides.length; k++) off[k] += c * strides[k][d];
        }
        return off;
    }

    /** The memory image of {@code struct Layout}: rank, shape[MAX_DIMS], stride[MAX_OPERANDS][MAX_DIMS]. */
    public int[] toInts() {
        int[] out = new int[1 + MAX_DIMS + MAX_OPERANDS * MAX_DIMS];
        out[0] = shape.length;
        System.arraycopy(shape, 0, out, 1, shape.length);
        for (int k = 0; k < strides.length; k++) System.arraycopy(strides[k], 0, out, 1 + MAX_DIMS + k * MAX_DIMS, shape.length);
        return out;
    }

    @Override
    public String toString() {
        return "Layout" + Arrays.toString(shape) + " " + Arrays.deepToString(strides);
    }
}

package org.crs4j.tensor;

import java.util.Arrays;

/** Static helpers for shapes and strides (int[] shapes, row-major). */
public final class Shape {
    private Shape() {}

    public static final int[] SCALAR = new int[0];

    /** Product of the dims; fails clearly on negative dims or overflow past 2^31 - 1 elements. */
    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more than 2^31-1 elements; crs4j tensors are int-indexed");
            }
        }
        return (int) n;
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Wraps a negative dim (Python style) and checks it against the rank. */
    public static int normalizeDim(int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException("dimension " + dim + " out of range for a tensor of rank " + rank);
        }
        return d;
    }

    /** Normalises, sorts and de-duplicates dims; an empty array means all dims. */
    public static int[] normalizeDims(int[] dims, int rank) {
        if (dims.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        boolean[] seen = new boolean[rank];
        for (int d : dims) {
            int n = normalizeDim(d, rank);
            if (seen[n]) throw new IllegalArgumentException("dimension " + d + " repeated in " + Arrays.toString(dims));
            seen[n] = true;
        }
        int[] out = new int[dims.length];
        int k = 0;
        for (int i = 0; i < rank; i++) if (seen[i]) out[k++] = i;
        return out;
    }

    /** NumPy broadcasting of two shapes. */
    public static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast together (dim " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    public static int[] broadcast(int[]... shapes) {
        int[] out = SCALAR;
        for (int[] s : shapes) out = broadcast(out, s);
        return out;
    }

    /** Resolves one -1 in a requested shape so that it has {@code numel} elements. */
    public static int[] inferSize(int[] requested, int numel) {
        int[] shape = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one dimension can be -1 in " + Arrays.toString(requested));
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("invalid dimension " + shape[i] + " in " + Arrays.toString(requested));
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(requested) + " is invalid for " + numel + " elements");
            }
            shape[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException("shape " + Arrays.toString(requested) + " is invalid for " + numel + " elements");
        }
        return shape;
    }

    public static String toString(int[] shape) {
        return Arrays.toString(shape);
    }
}

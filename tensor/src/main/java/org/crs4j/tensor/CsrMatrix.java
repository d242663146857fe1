package org.crs4j.tensor;

import java.util.Arrays;

/**
 * A constant sparse matrix in compressed sparse row form: row i holds the entries
 * {@code colIdx[rowPtr[i] .. rowPtr[i+1])} with {@code values} at the same positions (null: every value is 1).
 *
 * <p>Graph layers describe message aggregation with it: row s of an aggregation matrix lists the nodes whose
 * features are summed into s, so {@code A · X} is "gather the rows of X, sum them per output row" in one pass, without
 * materialising the gathered rows ({@link Backend#spmm}). Its gradient with respect to X is {@code A^T · G}: the
 * transpose, computed once on first use and kept, turns backward into the same kernel.
 *
 * <p>Arrays are held, not copied: do not modify them after construction.
 */
public final class CsrMatrix {
    private final int rows, cols;
    private final int[] rowPtr, colIdx;
    private final float[] values;
    private volatile CsrMatrix transpose;

    public CsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("CSR shape must be >= 0, got " + rows + " x " + cols);
        if (rowPtr.length != rows + 1 || rowPtr[0] != 0 || rowPtr[rows] != colIdx.length) {
            throw new IllegalArgumentException("CSR row pointers must have " + (rows + 1) + " entries from 0 to "
                    + colIdx.length + " (the entry count), got " + rowPtr.length + " entries"
                    + (rowPtr.length > 0 ? " from " + rowPtr[0] + " to " + rowPtr[rowPtr.length - 1] : ""));
        }
        if (values != null && values.length != colIdx.length) {
            throw new IllegalArgumentException("CSR has " + colIdx.length + " entries but " + values.length + " values");
        }
        for (int i = 0; i < rows; i++) {
            if (rowPtr[i + 1] < rowPtr[i]) throw new IllegalArgumentException("CSR row pointers decrease at row " + i);
        }
        for (int p = 0; p < colIdx.length; p++) {
            if (colIdx[p] < 0 || colIdx[p] >= cols) {
                throw new IndexOutOfBoundsException("CSR entry " + p + ": column " + colIdx[p] + " is outside [0, " + cols + ")");
            }
        }
        this.rows = rows;
        this.cols = cols;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int nnz() {
        return colIdx.length;
    }

    /** The row pointers (the held array). */
    public int[] rowPtr() {
        return rowPtr;
    }

    /** The column of each entry (the held array). */
    public int[] colIdx() {
        return colIdx;
    }

    /** The value of each entry (the held array), or null when all are 1. */
    public float[] values() {
        return values;
    }

    /** The same pattern with other values (null: all ones). */
    public CsrMatrix withValues(float[] newValues) {
        return new CsrMatrix(rows, cols, rowPtr, colIdx, newValues);
    }

    /** {@code this · x} for a dense {@code x [cols, d]} (or {@code [cols]}): see {@link Backend#spmm}. */
    public Tensor matmul(Tensor x) {
        return x.backend().spmm(this, x);
    }

    /**
     * The transpose, as CSR (entries of each new row in increasing original row order, so sums over them run in a
     * fixed order). Computed on first call and kept.
     */
    public CsrMatrix transpose() {
        CsrMatrix t = transpose;
        if (t == null) {
            synchronized (this) {
                t = transpose;
                if (t == null) {
                    t = computeTranspose();
                    transpose = t;
                }
            }
        }
        return t;
    }

    private CsrMatrix computeTranspose() {
        int[] ptr = new int[cols + 1];
        for (int c : colIdx) ptr[c + 1]++;
        for (int c = 0; c < cols; c++) ptr[c + 1] += ptr[c];
        int[] fill = Arrays.copyOf(ptr, cols);
        int[] idx = new int[colIdx.length];
        float[] val = values == null ? null : new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int p = rowPtr[r]; p < rowPtr[r + 1]; p++) {
                int q = fill[colIdx[p]]++;
                idx[q] = r;
                if (val != null) val[q] = values[p];
            }
        }
        CsrMatrix t = new CsrMatrix(cols, rows, ptr, idx, val);
        t.transpose = this;
        return t;
    }

    @Override
    public String toString() {
        return "CsrMatrix(" + rows + " x " + cols + ", " + nnz() + " entries" + (values == null ? ", unit values" : "") + ")";
    }
}

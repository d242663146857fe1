package org.crs4j.tensor.cpu;

import org.crs4j.tensor.DType;

/**
 * A read-only matrix view for the GEMM and matrix-vector kernels: element (r, c) is storage element
 * {@code offset + r*rowStride + c*colStride}.
 *
 * <p>One of the two strides is 1: a row-major matrix has {@code colStride == 1} and its leading dimension in
 * {@code rowStride}; a column-major one (for instance the transpose of a row-major weight) has {@code rowStride == 1}.
 * The other stride may be anything non-negative, 0 included (a broadcast row or column). Both strides may be 1 only
 * when the matrix has a single row or column, where the stride of that dimension is never used.
 *
 * <p>The storage dtype is F32, BF16 or F16, on the heap or in a {@link java.lang.foreign.MemorySegment} (a
 * memory-mapped checkpoint), or Q8_0 (quantized weights): the kernels convert 16-bit and quantized values to F32 as
 * they read them, so model weights never need an F32 copy. A segment must be readable from the compute threads of {@link Parallel}: global, automatic or
 * shared arena (as memory mapping gives), not a confined one.
 */
public record MatrixOperand(CpuStorage storage, int offset, int rows, int cols, int rowStride, int colStride) {

    public MatrixOperand {
        if (storage == null) throw new IllegalArgumentException("matrix operand: storage is null");
        DType dtype = storage.dtype();
        if (dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.F16 && dtype != DType.Q8_0) {
            throw new IllegalArgumentException("matrix operand: dtype " + dtype + " is not F32, BF16, F16 or Q8_0");
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("matrix operand: negative shape " + rows + "x" + cols);
        }
        if (offset < 0 || rowStride < 0 || colStride < 0) {
            throw new IllegalArgumentException("matrix operand: negative offset " + offset + " or strides ("
                    + rowStride + ", " + colStride + ")");
        }
        if (rowStride != 1 && colStride != 1) {
            throw new IllegalArgumentException("matrix operand " + rows + "x" + cols + ": strides (" + rowStride + ", "
                    + colStride + ") are neither row-major (colStride 1) nor column-major (rowStride 1); "
                    + "make the tensor contiguous first");
        }
        if (rowStride == 1 && colStride == 1 && rows > 1 && cols > 1) {
            throw new IllegalArgumentException("matrix operand " + rows + "x" + cols
                    + ": strides (1, 1) make rows overlap; only a single row or column may have both strides 1");
        }
        if (rows > 0 && cols > 0) {
            long last = offset + (long) (rows - 1) * rowStride + (long) (cols - 1) * colStride;
            if (last >= storage.length()) {
                throw new IllegalArgumentException("matrix operand " + rows + "x" + cols + " at offset " + offset
                        + " with strides (" + rowStride + ", " + colStride + ") reaches element " + last
                        + " of a storage of " + storage.length());
            }
        }
    }

    /** A row-major {@code rows x cols} matrix whose rows start {@code ld} elements apart. */
    public static MatrixOperand rowMajor(CpuStorage storage, int offset, int rows, int cols, int ld) {
        return new MatrixOperand(storage, offset, rows, cols, ld, 1);
    }

    /** A column-major {@code rows x cols} matrix whose columns start {@code ld} elements apart. */
    public static MatrixOperand colMajor(CpuStorage storage, int offset, int rows, int cols, int ld) {
        return new MatrixOperand(storage, offset, rows, cols, 1, ld);
    }

    /** A dense row-major F32 matrix over {@code data}. */
    public static MatrixOperand of(float[] data, int rows, int cols) {
        return rowMajor(CpuStorage.of(data), 0, rows, cols, cols);
    }

    public DType dtype() {
        return storage.dtype();
    }

    /** True when elements of a row are adjacent ({@code colStride == 1}). */
    public boolean isRowMajor() {
        return colStride == 1;
    }

    /** The same elements seen as the {@code cols x rows} transpose: no copy. */
    public MatrixOperand transpose() {
        return new MatrixOperand(storage, offset, cols, rows, colStride, rowStride);
    }

    /** Element (r, c) as F32. For tests and slow paths; the kernels read whole runs. */
    public float get(int r, int c) {
        return storage.getFloat(offset + (long) r * rowStride + (long) c * colStride);
    }
}

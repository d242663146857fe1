package org.crs4j.tensor.cpu;

/**
 * A read-only matrix view for GEMM: element (r, c) at storage element offset + r*rowStride + c*colStride.
 * Placeholder signature agreed with the GEMM work; see Sgemm.
 */
public record MatrixOperand(CpuStorage storage, int offset, int rows, int cols, int rowStride, int colStride) {
}

package org.crs4j.tensor.cpu;

/** Placeholder naive SGEMM with the agreed signature (replaced by the blocked kernel). */
public final class Sgemm {
    private Sgemm() {}

    public static void sgemm(MatrixOperand a, MatrixOperand b, float[] c, int cOffset, int ldc, boolean accumulate) {
        int m = a.rows(), k = a.cols(), n = b.cols();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += a.storage().getFloat(a.offset() + (long) i * a.rowStride() + (long) p * a.colStride())
                            * b.storage().getFloat(b.offset() + (long) p * b.rowStride() + (long) j * b.colStride());
                }
                c[cOffset + i * ldc + j] = accumulate ? c[cOffset + i * ldc + j] + acc : acc;
            }
        }
    }
}

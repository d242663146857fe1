package org.crs4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The path a product takes never changes a row's bits:
 * <ul>
 *   <li>products small enough for Sgemm's direct path (no packing) give bit for bit what the packed micro-kernels
 *       give for the same rows inside a larger product, in every layout and storage kind;</li>
 *   <li>a few rows times a transposed weight (B column-major, m ≤ {@link Matvec#MAX_VECTORS}: a short prompt or a
 *       batch through a Linear layer) run as matrix-vector products, each row giving exactly what it gives alone.</li>
 * </ul>
 */
class SmallGemmTest {
    private static final RandomOperand.Kind[] KINDS = {RandomOperand.Kind.F32_HEAP, RandomOperand.Kind.BF16_SEGMENT,
            RandomOperand.Kind.F16_HEAP, RandomOperand.Kind.F32_SEGMENT, RandomOperand.Kind.Q8};

    @Test
    void smallPathEqualsTheBlockedKernelBitForBit() {
        SplittableRandom rnd = new SplittableRandom(3);
        int checked = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (RandomOperand.Kind kb : KINDS) {
                for (int t = 0; t < 4; t++) {
                    boolean aRow = (t & 1) == 0, bRow = (t & 2) == 0;
                    // B row-major: any small m; B column-major: m past MAX_VECTORS (fewer rows are matrix-vector products)
                    int m = bRow ? 2 + rnd.nextInt(3) : Matvec.MAX_VECTORS + 1 + rnd.nextInt(3);
                    int n = 2 + rnd.nextInt(bRow ? 40 : 20), k = 1 + rnd.nextInt(bRow ? 60 : 30);
                    int big = 400; // rows: m * n * k stays small, big * n * k does not
                    RandomOperand a = RandomOperand.create(rnd, RandomOperand.Kind.F32_HEAP, big, k, aRow, 1, 2, arena);
                    RandomOperand b = RandomOperand.create(rnd, kb, k, n, bRow, 2, 1, arena);
                    for (boolean accumulate : new boolean[] {false, true}) {
                        float[] cBig = new float[big * n], cSmall = new float[m * n];
                        for (int i = 0; i < cSmall.length; i++) cBig[i] = cSmall[i] = (float) rnd.nextGaussian();
                        Sgemm.sgemm(a.operand, b.operand, cBig, 0, n, accumulate, 1);
                        MatrixOperand top = new MatrixOperand(a.operand.storage(), a.operand.offset(), m, k,
                                a.operand.rowStride(), a.operand.colStride());
                        Sgemm.sgemm(top, b.operand, cSmall, 0, n, accumulate, 1);
                        for (int i = 0; i < m * n; i++) {
                            assertEquals(Float.floatToRawIntBits(cBig[i]), Float.floatToRawIntBits(cSmall[i]),
                                    "element " + i + " m=" + m + " n=" + n + " k=" + k + " " + kb + " A row-major " + aRow
                                            + " B row-major " + bRow + " accumulate " + accumulate);
                        }
                        checked++;
                    }
                }
            }
        }
        assertEquals(40, checked);
    }

    @Test
    void fewRowsTimesATransposedWeightGiveEachRowItsMatrixVectorBits() {
        SplittableRandom rnd = new SplittableRandom(4);
        int checked = 0;
        try (Arena arena = Arena.ofShared()) {
            for (RandomOperand.Kind kb : KINDS) {
                for (int m = 2; m <= Matvec.MAX_VECTORS; m += 3) {
                    boolean aRow = rnd.nextBoolean();
                    int n = 1 + rnd.nextInt(300), k = 1 + rnd.nextInt(300);
                    RandomOperand a = RandomOperand.create(rnd, RandomOperand.Kind.F32_HEAP, m, k, aRow, 1, 2, arena);
                    RandomOperand w = RandomOperand.create(rnd, kb, n, k, true, 3, 5, arena); // a Linear weight [n, k]
                    for (int threads : new int[] {1, 3}) {
                        float[] c = new float[m * (n + 2)];
                        Sgemm.sgemm(a.operand, w.operand.transpose(), c, 0, n + 2, false, threads);
                        for (int i = 0; i < m; i++) {
                            float[] x = new float[k];
                            for (int p = 0; p < k; p++) x[p] = a.operand.get(i, p);
                            float[] alone = new float[n];
                            Matvec.matvec(w.operand, x, 0, alone, 0, 1, false, 1);
                            for (int j = 0; j < n; j++) {
                                assertEquals(Float.floatToRawIntBits(alone[j]), Float.floatToRawIntBits(c[i * (n + 2) + j]),
                                        "row " + i + " column " + j + " m=" + m + " n=" + n + " k=" + k + " " + kb
                                                + " threads " + threads);
                            }
                        }
                        checked++;
                    }
                }
            }
        }
        assertEquals(KINDS.length * 3 * 2, checked);
    }
}

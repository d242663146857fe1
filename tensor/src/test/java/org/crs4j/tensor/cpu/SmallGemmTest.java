package org.crs4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Products small enough for Sgemm's direct path (no packing) give bit for bit what the packed micro-kernels give for
 * the same rows inside a larger product, in every layout and storage kind: the path taken never changes a result.
 */
class SmallGemmTest {

    @Test
    void smallPathEqualsTheBlockedKernelBitForBit() {
        SplittableRandom rnd = new SplittableRandom(3);
        int checked = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (RandomOperand.Kind kb : new RandomOperand.Kind[] {RandomOperand.Kind.F32_HEAP, RandomOperand.Kind.BF16_SEGMENT,
                    RandomOperand.Kind.F16_HEAP, RandomOperand.Kind.F32_SEGMENT}) {
                for (int t = 0; t < 4; t++) {
                    boolean aRow = (t & 1) == 0, bRow = (t & 2) == 0;
                    int m = 2 + rnd.nextInt(3), n = 2 + rnd.nextInt(40), k = 1 + rnd.nextInt(60);
                    int big = 400; // rows: m * n * k stays small, big * n * k does not
                    RandomOperand a = RandomOperand.create(rnd, RandomOperand.Kind.F32_HEAP, big, k, aRow, 1, 2, arena);
                    RandomOperand b = RandomOperand.create(rnd, kb, k, n, bRow, 2, 1, arena);
                    for (boolean accumulate : new boolean[] {false, true}) {
                        float[] cBig = new float[big * n], cSmall = new float[m * n];
                        for (int i = 0; i < cSmall.length; i++) cBig[i] = cSmall[i] = (float) rnd.nextGaussian();
                        Sgemm.sgemm(a.operand, b.operand, cBig, 0, n, accumulate, 1);
                        MatrixOperand top = new MatrixOperand(a.operand.storage(), a.operand.offset(), m, k,
                                m == 1 ? 1 : a.operand.rowStride(), a.operand.colStride());
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
        assertEquals(32, checked);
    }
}

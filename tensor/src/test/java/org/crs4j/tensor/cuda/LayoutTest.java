package org.crs4j.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The host half of the kernels' strided addressing: merging dims never changes which element a position reads. */
class LayoutTest {

    /** Offsets of row-major position i over the unmerged shape: the naive reference. */
    static long naive(int[] shape, int[] strides, long i) {
        long off = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            off += (i % shape[d]) * strides[d];
            i /= shape[d];
        }
        return off;
    }

    @Test
    void mergedLayoutsAddressTheSameElementsAsTheViews() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 500; trial++) {
            int rank = rng.nextInt(0, 7);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) shape[d] = rng.nextInt(1, 5);
            int operands = rng.nextInt(1, 5);
            int[][] strides = new int[operands][];
            for (int k = 0; k < operands; k++) strides[k] = randomStrides(shape, rng);
            Layout l = Layout.of(shape, strides);
            int n = 1;
            for (int s : shape) n *= s;
            for (long i = 0; i < n; i++) {
                long[] off = l.offsets(i);
                for (int k = 0; k < operands; k++) assertEquals(naive(shape, strides[k], i), off[k], "trial " + trial + " " + l);
            }
            assertTrue(l.rank() <= Math.max(rank, 0));
        }
    }

    /** Contiguous, permuted, broadcast (0) or sliced strides. */
    private static int[] randomStrides(int[] shape, SplittableRandom rng) {
        int rank = shape.length;
        int[] s = new int[rank];
        int acc = 1;
        int[] order = new int[rank];
        for (int i = 0; i < rank; i++) order[i] = rank - 1 - i;
        if (rng.nextBoolean()) for (int i = rank - 1; i > 0; i--) { int j = rng.nextInt(i + 1); int t = order[i]; order[i] = order[j]; order[j] = t; }
        for (int d : order) {
            s[d] = rng.nextInt(4) == 0 ? 0 : acc * (rng.nextInt(3) == 0 ? 2 : 1);
            acc *= shape[d] * 2;
        }
        return s;
    }

    @Test
    void contiguousOperandsCollapseToOneDim() {
        Layout l = Layout.of(new int[] {4, 5, 6}, new int[] {30, 6, 1}, new int[] {30, 6, 1});
        assertArrayEquals(new int[] {120}, l.shape());
        // a row broadcast over a matrix keeps two dims; size-1 dims disappear
        Layout b = Layout.of(new int[] {4, 1, 6}, new int[] {6, 6, 1}, new int[] {0, 0, 1});
        assertArrayEquals(new int[] {4, 6}, b.shape());
        assertArrayEquals(new int[] {0, 1}, b.strides(1));
        // a scalar: rank 0, offset 0
        Layout s = Layout.of(new int[0], new int[0]);
        assertEquals(0, s.rank());
        assertArrayEquals(new long[] {0}, s.offsets(0));
    }

    @Test
    void theStructImageIsRankShapeThenStridesPerOperand() {
        int[] ints = Layout.of(new int[] {3, 4}, new int[] {1, 3}, new int[] {4, 1}).toInts();
        assertEquals(41, ints.length);
        assertEquals(2, ints[0]);
        assertArrayEquals(new int[] {3, 4}, java.util.Arrays.copyOfRange(ints, 1, 3));
        assertArrayEquals(new int[] {1, 3}, java.util.Arrays.copyOfRange(ints, 9, 11));
        assertArrayEquals(new int[] {4, 1}, java.util.Arrays.copyOfRange(ints, 17, 19));
    }

    @Test
    void tooManyDimsAndOperandsAreRefused() {
        int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        int[] strides = {512, 128, 32, 8, 2, 1024, 4096, 16384, 65536}; // nothing merges: 9 dims
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layout.of(shape, strides));
        assertTrue(e.getMessage().contains("at most 8"), e.getMessage());
        int[] one = {1};
        assertThrows(IllegalArgumentException.class, () -> Layout.of(new int[] {1}, one, one, one, one, one));
    }
}

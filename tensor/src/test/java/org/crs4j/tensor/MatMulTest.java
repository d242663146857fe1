package org.crs4j.tensor;

import static org.crs4j.tensor.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.*;

import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.Test;

/** torch.matmul semantics (batching, broadcasting, vectors) against the naive reference. */
class MatMulTest {
    private final RandomTensors random = new RandomTensors(5);

    private static Ref refMatmul(Tensor a, Tensor b) {
        Ref ra = Ref.of(a.dim() == 1 ? a.unsqueeze(0) : a), rb = Ref.of(b.dim() == 1 ? b.unsqueeze(1) : b);
        Ref out = Ref.matmul(ra, rb);
        int[] shape = out.shape;
        if (a.dim() == 1) shape = remove(shape, shape.length - 2);
        if (b.dim() == 1) shape = remove(shape, shape.length - 1);
        return new Ref(shape, out.data);
    }

    private static int[] remove(int[] s, int i) {
        int[] out = new int[s.length - 1];
        for (int j = 0, k = 0; j < s.length; j++) if (j != i) out[k++] = s[j];
        return out;
    }

    @Test
    void batchedAndBroadcastProducts() {
        for (int trial = 0; trial < 60; trial++) {
            int m = random.nextInt(1, 9), k = random.nextInt(0, 9), n = random.nextInt(1, 9);
            int[] batch = random.shape(random.nextInt(0, 2), 1, 3);
            int[] aShape = concat(batch, m, k);
            int[] bShape = concat(random.rng().nextBoolean() ? batch : new int[0], k, n);
            if (random.rng().nextBoolean() && batch.length > 0) aShape[0] = 1; // broadcast a batch dim
            DType bt = trial % 4 == 1 ? DType.BF16 : trial % 4 == 2 ? DType.F16 : trial % 7 == 0 ? DType.F64 : DType.F32;
            Tensor a = random.uniform(aShape, trial % 7 == 0 ? DType.F64 : DType.F32, -1, 1);
            Tensor b = random.uniform(bShape, bt, -1, 1);
            if (random.rng().nextBoolean()) b = b.mT().contiguous().mT(); // column-major operand
            Tensor c = a.matmul(b);
            double tol = c.dtype() == DType.F64 ? 1e-12 : 1e-5;
            assertClose(refMatmul(a, b), c, tol, tol * Math.max(1, k), "trial " + trial);
        }
    }

    @Test
    void vectorOperandsFollowTorch() {
        Tensor v = random.uniform(new int[] {5}, -1, 1), w = random.uniform(new int[] {5}, -1, 1);
        Tensor mat = random.uniform(new int[] {3, 5}, -1, 1), mat2 = random.uniform(new int[] {5, 4}, -1, 1);
        assertEquals(0, v.matmul(w).dim());
        assertClose(refMatmul(v, w), v.matmul(w), 1e-5, 1e-6, "dot");
        assertClose(refMatmul(mat, v), mat.matmul(v), 1e-5, 1e-6, "matrix-vector");
        assertClose(refMatmul(v, mat2), v.matmul(mat2), 1e-5, 1e-6, "vector-matrix");
        Tensor batched = random.uniform(new int[] {2, 3, 5}, -1, 1);
        assertClose(refMatmul(batched, v), batched.matmul(v), 1e-5, 1e-6, "batched matrix-vector");
    }

    @Test
    void linearLayerShapeFoldsIntoOneGemm() {
        Tensor x = random.uniform(new int[] {2, 7, 16}, -1, 1);
        Tensor weight = random.uniform(new int[] {12, 16}, DType.BF16, -1, 1); // [out, in], stored like HF
        Tensor y = x.matmul(weight.mT());
        assertArrayEquals(new int[] {2, 7, 12}, y.shape());
        assertClose(refMatmul(x, weight.mT()), y, 1e-5, 1e-5, "x W^T");
        Tensor xs = x.narrow(1, 1, 5); // rows that are not flat-viewable across the batch dim
        assertClose(refMatmul(xs, weight.mT()), xs.matmul(weight.mT()), 1e-5, 1e-5, "narrowed x W^T");
    }

    @Test
    void shapeErrorsAreClear() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 2)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 2)));
    }

    private static int[] concat(int[] a, int... b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Grouped products over row groups of very different sizes (an empty group, one long enough for the K-sliced
     * weight gradient), F32 and BF16 weights, a transposed x: each group against the double reference, and the same
     * bits for any thread count.
     */
    @Test
    void segmentMatmulAndItsWeightGradient() {
        int[] offsets = {0, 3, 3, 40, 2600, 2641};
        int s = offsets[offsets.length - 1], k = 9, n = 13, groups = offsets.length - 1;
        Tensor x = random.uniform(new int[] {k, s}, -1, 1).mT();                 // column-major rows
        Tensor y = random.uniform(new int[] {s, n}, -1, 1);
        for (DType wt : new DType[] {DType.F32, DType.BF16}) {
            Tensor w = random.uniform(new int[] {groups, k, n}, wt, -1, 1);
            Tensor out = x.segmentMatmul(offsets, w);
            for (int g = 0; g < groups; g++) {
                int len = offsets[g + 1] - offsets[g];
                if (len == 0) continue;
                assertClose(Ref.matmul(Ref.of(x.narrow(0, offsets[g], len)), Ref.of(w.select(0, g))),
                        out.narrow(0, offsets[g], len), 1e-5, 1e-5, "segment " + g + " " + wt);
            }
        }
        Tensor gw = x.segmentTransposeMatmul(offsets, y);
        assertArrayEquals(new int[] {groups, k, n}, gw.shape());
        for (int g = 0; g < groups; g++) {
            int len = offsets[g + 1] - offsets[g];
            Ref ref = len == 0 ? Ref.zeros(k, n)
                    : Ref.matmul(Ref.of(x.narrow(0, offsets[g], len).mT()), Ref.of(y.narrow(0, offsets[g], len)));
            assertClose(ref, gw.select(0, g), 1e-5, 1e-4, "transposed segment " + g);
        }
        float[] one = null;
        for (int threads : new int[] {1, 2, 3}) {
            float[] now = org.crs4j.tensor.cpu.Parallel.withMaxChunks(threads,
                    () -> x.segmentTransposeMatmul(offsets, y).toFloatArray());
            if (one == null) one = now;
            else assertArrayEquals(one, now, "threads " + threads);
        }
        assertThrows(IllegalArgumentException.class, () -> x.segmentTransposeMatmul(new int[] {0, 5}, y));
        assertThrows(IllegalArgumentException.class, () -> x.segmentTransposeMatmul(offsets, y.narrow(0, 0, 5)));
    }
}

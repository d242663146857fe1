package org.crs4j.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.crs4j.tensor.cpu.Parallel;
import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.Test;

/** spmm and the fused Adam update against naive double-precision references on random inputs. */
class SparseAndFusedKernelsTest {
    private final SplittableRandom rng = new SplittableRandom(31);
    private final RandomTensors random = new RandomTensors(32);

    private CsrMatrix randomCsr(int rows, int cols, int maxPerRow, boolean values) {
        int[] ptr = new int[rows + 1];
        int[] count = new int[rows];
        for (int r = 0; r < rows; r++) {
            count[r] = cols == 0 ? 0 : rng.nextInt(maxPerRow + 1); // empty rows included
            ptr[r + 1] = ptr[r] + count[r];
        }
        int[] col = new int[ptr[rows]];
        for (int p = 0; p < col.length; p++) col[p] = rng.nextInt(cols); // repeated columns included
        float[] val = null;
        if (values) {
            val = new float[col.length];
            for (int p = 0; p < val.length; p++) val[p] = (float) rng.nextDouble(-2, 2);
        }
        return new CsrMatrix(rows, cols, ptr, col, val);
    }

    private static Ref dense(CsrMatrix a) {
        Ref m = Ref.zeros(a.rows(), a.cols());
        for (int r = 0; r < a.rows(); r++) {
            for (int p = a.rowPtr()[r]; p < a.rowPtr()[r + 1]; p++) {
                int c = a.colIdx()[p];
                m.set(m.at(r, c) + (a.values() == null ? 1 : a.values()[p]), r, c);
            }
        }
        return m;
    }

    @Test
    void spmmMatchesADenseDoubleProduct() {
        for (int trial = 0; trial < 30; trial++) {
            int rows = rng.nextInt(0, 40), cols = rng.nextInt(0, 30), d = rng.nextInt(1, 40);
            CsrMatrix a = randomCsr(rows, cols, 6, rng.nextBoolean());
            DType dtype = trial % 3 == 0 ? DType.F64 : DType.F32;
            Tensor x = random.uniform(new int[] {cols, d}, dtype, -1, 1); // random layouts: strided, transposed
            Tensor y = a.matmul(x);
            assertEquals(dtype, y.dtype());
            assertArrayEquals(new int[] {rows, d}, y.shape());
            Ref m = dense(a), xr = Ref.of(x);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    for (int c = 0; c < cols; c++) s += m.at(r, c) * xr.at(c, j);
                    assertEquals(s, y.get(r, j), 1e-5 * (1 + Math.abs(s)), "trial " + trial + " at " + r + "," + j);
                }
            }
        }
        CsrMatrix a = randomCsr(5, 4, 3, true);
        Tensor v = Tensor.randn(new Generator(1), 4);
        assertArrayEquals(a.matmul(v.unsqueeze(1)).squeeze(1).toFloatArray(), a.matmul(v).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> a.matmul(Tensor.zeros(5, 2)));
    }

    @Test
    void spmmIsTheSameForAnyThreadCountAndTheTransposeIsExact() {
        CsrMatrix a = randomCsr(3000, 2000, 12, true);
        Tensor x = Tensor.randn(new Generator(2), 2000, 37);
        float[] one = Parallel.withMaxChunks(1, () -> a.matmul(x).toFloatArray());
        float[] many = Parallel.withMaxChunks(16, () -> a.matmul(x).toFloatArray());
        assertArrayEquals(one, many);
        CsrMatrix t = a.transpose();
        assertSame(t, a.transpose(), "computed once");
        assertSame(a, t.transpose());
        Ref da = dense(a), dt = dense(t);
        for (int r = 0; r < 50; r++) for (int c = 0; c < 50; c++) assertEquals(da.at(r, c), dt.at(c, r), 0.0);
        // transposed rows list the original rows in increasing order
        for (int r = 0; r < t.rows(); r++) {
            for (int p = t.rowPtr()[r] + 1; p < t.rowPtr()[r + 1]; p++) assertTrue(t.colIdx()[p - 1] <= t.colIdx()[p]);
        }
    }

    @Test
    void csrInputIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 2, new int[] {0, 1}, new int[] {0}, null));
        assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 2, new int[] {0, 2, 1}, new int[] {0}, null));
        var e = assertThrows(IndexOutOfBoundsException.class, () -> new CsrMatrix(1, 2, new int[] {0, 1}, new int[] {2}, null));
        assertTrue(e.getMessage().contains("column 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(1, 2, new int[] {0, 1}, new int[] {1}, new float[2]));
    }

    @Test
    void fusedAdamUpdateMatchesTheDoubleRule() {
        for (boolean decoupled : new boolean[] {false, true}) {
            for (DType dt : new DType[] {DType.F32, DType.F64}) {
                int n = 1000 + rng.nextInt(37); // not a multiple of the vector length
                double lr = 0.01, b1 = 0.9, b2 = 0.99, eps = 1e-7, wd = 0.05;
                Tensor p = Tensor.randn(new Generator(3), 0, 1, dt, n), m = Tensor.zeros(dt, n), v = Tensor.zeros(dt, n);
                double[] pr = p.toDoubleArray(), mr = new double[n], vr = new double[n];
                for (int t = 1; t <= 4; t++) {
                    Tensor g = Tensor.randn(new Generator(10 + t), 0, 1, DType.F32, n);
                    double[] gr = g.toDoubleArray();
                    double bc1 = 1 - Math.pow(b1, t), bc2 = Math.sqrt(1 - Math.pow(b2, t));
                    p.backend().adamUpdate(p, g.to(dt), m, v, decoupled ? 0 : wd, decoupled ? 1 - lr * wd : 1, b1, b2, eps, lr / bc1, bc2);
                    for (int i = 0; i < n; i++) {
                        double gi = gr[i] + (decoupled ? 0 : wd * pr[i]);
                        if (decoupled) pr[i] *= 1 - lr * wd;
                        mr[i] = b1 * mr[i] + (1 - b1) * gi;
                        vr[i] = b2 * vr[i] + (1 - b2) * gi * gi;
                        pr[i] -= lr / bc1 * mr[i] / (Math.sqrt(vr[i]) / bc2 + eps);
                    }
                    double tol = dt == DType.F64 ? 1e-12 : 2e-6;
                    double[] pa = p.toDoubleArray(), ma = m.toDoubleArray(), va = v.toDoubleArray();
                    for (int i = 0; i < n; i++) {
                        assertEquals(pr[i], pa[i], tol * (1 + Math.abs(pr[i])), dt + " param " + i + " step " + t);
                        assertEquals(mr[i], ma[i], tol * (1 + Math.abs(mr[i])), dt + " exp_avg " + i);
                        assertEquals(vr[i], va[i], tol * (1 + Math.abs(vr[i])), dt + " exp_avg_sq " + i);
                    }
                }
            }
        }
    }

    @Test
    void fusedAdamUpdateRefusesWhatItCannotWriteInPlace() {
        Tensor p = Tensor.zeros(4), g = Tensor.zeros(4), m = Tensor.zeros(4), v = Tensor.zeros(4);
        Backend b = p.backend();
        assertThrows(IllegalArgumentException.class, () -> b.adamUpdate(p, g, m, Tensor.zeros(5), 0, 1, 0.9, 0.99, 1e-8, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> b.adamUpdate(p, g, m, Tensor.zeros(DType.F64, 4), 0, 1, 0.9, 0.99, 1e-8, 1, 1));
        Tensor strided = Tensor.zeros(8).slice(0, 0, 8, 2);
        assertThrows(IllegalArgumentException.class, () -> b.adamUpdate(strided, g, m, v, 0, 1, 0.9, 0.99, 1e-8, 1, 1));
    }
}

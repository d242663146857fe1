package org.crs4j.tensor;

import static org.crs4j.tensor.testing.TensorAssertions.assertClose;
import static org.crs4j.tensor.testing.TensorAssertions.assertExact;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.crs4j.tensor.cpu.Parallel;
import org.crs4j.tensor.testing.Devices;
import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

@ParameterizedClass
@MethodSource("org.crs4j.tensor.testing.Devices#all")
class ReductionTest {
    private final Device device;
    private final RandomTensors random;

    ReductionTest(Device device) {
        this.device = device;
        this.random = new RandomTensors(7, device);
    }

    @BeforeEach
    void deviceIsUsable() {
        Devices.assumeUsable(device, "ReductionTest");
    }

    private int[] randomDims(int rank) {
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < rank; d++) if (random.rng().nextBoolean()) dims.add(random.rng().nextBoolean() ? d : d - rank);
        if (dims.isEmpty() && rank > 0) dims.add(random.nextInt(0, rank - 1));
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double sum(double[] v, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += v[i];
        return s;
    }

    private static double sumAbs(double[] v, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.abs(v[i]);
        return s;
    }

    @Test
    void sumMeanMaxMinVarLogsumexpOverRandomDims() {
        for (int trial = 0; trial < 60; trial++) {
            int rank = random.nextInt(1, 4);
            int[] shape = random.shape(rank, 1, 9);
            double scale = trial % 3 == 0 ? 1e4 : 1; // large-magnitude inputs too
            DType dtype = trial % 5 == 0 ? DType.F64 : trial % 7 == 0 ? DType.BF16 : DType.F32;
            Tensor x = random.uniform(shape, dtype, -scale, scale);
            int[] dims = randomDims(rank);
            boolean keep = random.rng().nextBoolean();
            Ref r = Ref.of(x);
            String what = "shape " + java.util.Arrays.toString(shape) + " dims " + java.util.Arrays.toString(dims) + " keep " + keep;
            double rtol = dtype == DType.F64 ? 1e-12 : 2e-6;
            // sums: error bound relative to the sum of magnitudes (cancellation is the input's, not the kernel's)
            Ref s = r.reduce(dims, keep, ReductionTest::sum), sa = r.reduce(dims, keep, ReductionTest::sumAbs);
            Tensor got = x.sum(dims, keep);
            Ref g = Ref.of(got);
            for (int i = 0; i < s.data.length; i++) {
                assertEquals(s.data[i], g.data[i], rtol * sa.data[i] + 1e-30, "sum " + what);
            }
            Ref mean = r.reduce(dims, keep, (v, n) -> sum(v, n) / n), meanAbs = r.reduce(dims, keep, (v, n) -> sumAbs(v, n) / n);
            Ref gm = Ref.of(x.mean(dims, keep));
            for (int i = 0; i < mean.data.length; i++) assertEquals(mean.data[i], gm.data[i], rtol * meanAbs.data[i] + 1e-30, "mean " + what);
            assertExact(r.reduce(dims, keep, (v, n) -> { double m = v[0]; for (int i = 1; i < n; i++) m = Math.max(m, v[i]); return m; }),
                    x.max(dims, keep), "max " + what);
            assertExact(r.reduce(dims, keep, (v, n) -> { double m = v[0]; for (int i = 1; i < n; i++) m = Math.min(m, v[i]); return m; }),
                    x.min(dims, keep), "min " + what);
            Ref var = r.reduce(dims, keep, (v, n) -> {
                double m = sum(v, n) / n, ss = 0;
                for (int i = 0; i < n; i++) ss += (v[i] - m) * (v[i] - m);
                return n > 1 ? ss / (n - 1) : Double.NaN;
            });
            assertClose(var, x.var(dims, 1, keep), dtype == DType.F64 ? 1e-10 : 2e-5, 1e-9 * scale * scale, "var " + what);
            Ref lse = r.reduce(dims, keep, (v, n) -> {
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) m = Math.max(m, v[i]);
                double acc = 0;
                for (int i = 0; i < n; i++) acc += Math.exp(v[i] - m);
                return m + Math.log(acc);
            });
            assertClose(lse, x.logsumexp(dims, keep), dtype == DType.F64 ? 1e-12 : 2e-6, 1e-5, "logsumexp " + what);
        }
    }

    @Test
    void logsumexpIsStableForHugeAndInfiniteInputs() {
        Tensor x = Tensor.vector(1e30f, 1e30f, -1e30f);
        assertEquals(1e30 + Math.log(2), x.logsumexp(0, false).item(), 1e24);
        Tensor allNegInf = Tensor.vector(Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY);
        assertEquals(Double.NEGATIVE_INFINITY, allNegInf.logsumexp(0, false).item());
        assertEquals(Double.POSITIVE_INFINITY, Tensor.vector(Float.POSITIVE_INFINITY, 0).logsumexp(0, false).item());
    }

    @Test
    void longRowsAndColumnsUseChunksAndStayAccurate() {
        for (int[] shape : new int[][] {{3, 100_003}, {100_003, 3}, {2, 70_001, 5}, {1, 1 << 17}}) {
            Tensor x = random.uniform(shape, -1, 1);
            Ref r = Ref.of(x);
            for (int d = 0; d < shape.length; d++) {
                int[] dims = {d};
                Ref s = r.reduce(dims, false, ReductionTest::sum), sa = r.reduce(dims, false, ReductionTest::sumAbs);
                Ref g = Ref.of(x.sum(dims, false));
                for (int i = 0; i < s.data.length; i++) assertEquals(s.data[i], g.data[i], 1e-6 * sa.data[i], "sum dim " + d);
                assertExact(r.reduce(dims, false, (v, n) -> { double m = v[0]; for (int i = 1; i < n; i++) m = Math.max(m, v[i]); return m; }),
                        x.max(d, false), "max dim " + d);
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Tensor x = random.uniform(new int[] {37, 50_001}, -1, 1);
        float[] one = Parallel.withMaxChunks(1, () -> x.sum(1, false).toFloatArray());
        float[] seven = Parallel.withMaxChunks(7, () -> x.sum(1, false).toFloatArray());
        float[] all = x.sum(0, false).toFloatArray();
        float[] allOne = Parallel.withMaxChunks(1, () -> x.sum(0, false).toFloatArray());
        assertArrayEquals(one, seven);
        assertArrayEquals(all, allOne);
        float[] sm1 = Parallel.withMaxChunks(1, () -> x.softmax(1).toFloatArray());
        assertArrayEquals(sm1, Parallel.withMaxChunks(5, () -> x.softmax(1).toFloatArray()));
    }

    @Test
    void integerAndBoolReductions() {
        Tensor ints = Tensor.of(new int[] {3, -1, 7, 2}, 2, 2);
        assertEquals(DType.I64, ints.sum().dtype());
        assertEquals(11.0, ints.sum().item());
        assertEquals(DType.I32, ints.max(1, false).dtype());
        assertArrayEquals(new int[] {3, 7}, ints.max(1, false).toIntArray());
        Tensor mask = Tensor.ofBool(new boolean[] {true, false, true}, 3);
        assertEquals(2.0, mask.sum().item(), "sum of a mask counts");
        assertEquals(DType.F32, ints.mean().dtype());
        assertEquals(2.75, ints.mean().item(), 1e-6);
    }

    @Test
    void argmaxArgminTakeTheFirstAndPropagateNaN() {
        Tensor x = Tensor.of(new float[] {1, 5, 5, 0, 2, 2, 9, 9}, 2, 4);
        assertArrayEquals(new long[] {1, 2}, x.argmax(1, false).toLongArray());
        assertArrayEquals(new long[] {3, 0}, x.argmin(1, false).toLongArray());
        assertArrayEquals(new int[] {2, 1}, x.argmax(1, true).shape());
        assertArrayEquals(new long[] {1, 0, 1, 1}, x.argmax(0, false).toLongArray());
        Tensor withNaN = Tensor.vector(1, Float.NaN, 3, Float.NaN);
        assertEquals(1.0, withNaN.argmax(0, false).item());
        assertTrue(Double.isNaN(withNaN.max().item()));
        for (int trial = 0; trial < 20; trial++) {
            int[] shape = random.shape(3, 1, 6);
            Tensor t = random.integers(shape, DType.I64, 0, 4).to(DType.F32); // many ties
            int d = random.nextInt(0, 2);
            Ref r = Ref.of(t);
            int[] idx = new int[3];
            Ref got = Ref.of(t.argmax(d, true));
            for (int i = 0; i < got.data.length; i++) {
                Ref.unravel(i, got.shape, idx);
                int best = 0;
                for (int j = 0; j < shape[d]; j++) {
                    int[] a = idx.clone(), b = idx.clone();
                    a[d] = j;
                    b[d] = best;
                    if (r.at(a) > r.at(b)) best = j;
                }
                assertEquals(best, got.data[i], "argmax trial " + trial);
            }
        }
    }

    @Test
    void emptyAndScalarCases() {
        Tensor empty = Tensor.zeros(0, 3);
        assertArrayEquals(new float[] {0, 0, 0}, empty.sum(0, false).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> empty.max(0, false));
        assertArrayEquals(new int[] {0}, empty.sum(1, false).shape());
        Tensor s = Tensor.scalar(4f);
        assertEquals(4.0, s.sum().item());
        assertEquals(0, s.sum().dim());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).sum(2, false));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).sum(new int[] {1, -1}, false));
    }
}

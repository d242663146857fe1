package org.crs4j.tensor;

import static org.crs4j.tensor.testing.TensorAssertions.assertClose;
import static org.crs4j.tensor.testing.TensorAssertions.assertExact;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.Comparator;
import org.crs4j.tensor.testing.Devices;
import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** sort / topk / argsort / cumsum / one-hot / triangular masks. */
@ParameterizedClass
@MethodSource("org.crs4j.tensor.testing.Devices#all")
class SortScanTest {
    private final Device device;
    private final RandomTensors random;

    SortScanTest(Device device) {
        this.device = device;
        this.random = new RandomTensors(17, device);
    }

    @BeforeEach
    void deviceIsUsable() {
        Devices.assumeUsable(device, "SortScanTest");
    }

    /** Stable reference order of one row: by value (NaN largest), ties by index. */
    private static Integer[] refOrder(double[] row, boolean descending) {
        Integer[] order = new Integer[row.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Comparator<Integer> byValue = (a, b) -> {
            double x = row[a], y = row[b];
            int c = Double.isNaN(x) ? (Double.isNaN(y) ? 0 : 1) : Double.isNaN(y) ? -1 : Double.compare(x + 0.0, y + 0.0);
            return descending ? -c : c;
        };
        Arrays.sort(order, byValue); // Arrays.sort on objects is stable
        return order;
    }

    @Test
    void sortAndTopkAreStableOnTiesAlongAnyDim() {
        for (int trial = 0; trial < 50; trial++) {
            int rank = random.nextInt(1, 3);
            int[] shape = random.shape(rank, 1, trial % 5 == 0 ? 300 : 8);
            DType dtype = trial % 4 == 0 ? DType.F64 : trial % 4 == 1 ? DType.I64 : DType.F32;
            Tensor x = random.integers(shape, DType.I64, -3, 4).to(dtype); // many ties
            int d = random.nextInt(0, rank - 1);
            boolean desc = random.rng().nextBoolean();
            int k = random.nextInt(0, shape[d]);
            Tensor[] top = x.topk(k, d, desc);
            Tensor[] all = x.sort(d, desc);
            Ref rx = Ref.of(x);
            int[] p = new int[rank];
            int n = shape[d];
            for (int i = 0; i < rx.data.length; i++) {
                Ref.unravel(i, shape, p);
                if (p[d] != 0) continue;
                double[] row = new double[n];
                for (int j = 0; j < n; j++) { p[d] = j; row[j] = rx.at(p); }
                Integer[] order = refOrder(row, desc);
                for (int j = 0; j < n; j++) {
                    p[d] = j;
                    assertEquals(order[j], (int) all[1].get(p), "sort index trial " + trial);
                    assertEquals(row[order[j]], all[0].get(p), "sort value trial " + trial);
                    if (j < k) assertEquals(order[j], (int) top[1].get(p), "topk index trial " + trial);
                }
            }
        }
    }

    @Test
    void topkOfAVocabularySizedRowUsesTheHeapAndAgrees() {
        Tensor logits = random.uniform(new int[] {2, 32000}, -10, 10);
        Tensor[] top = logits.topk(40, -1, true);
        Tensor[] sorted = logits.sort(-1, true);
        assertArrayEquals(sorted[1].narrow(1, 0, 40).toLongArray(), top[1].toLongArray());
        assertArrayEquals(sorted[0].narrow(1, 0, 40).toFloatArray(), top[0].toFloatArray());
    }

    @Test
    void nanAndSignedZeroOrdering() {
        Tensor x = Tensor.vector(Float.NaN, 1, -0f, 0f, Float.NEGATIVE_INFINITY);
        assertArrayEquals(new long[] {4, 2, 3, 1, 0}, x.argsort(0, false).toLongArray());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4}, x.argsort(0, true).toLongArray());
    }

    @Test
    void cumsumAlongAnyDim() {
        for (int trial = 0; trial < 30; trial++) {
            int rank = random.nextInt(1, 3);
            int[] shape = random.shape(rank, 0, 9);
            DType dtype = trial % 3 == 0 ? DType.I32 : trial % 3 == 1 ? DType.F64 : DType.F32;
            Tensor x = dtype == DType.I32 ? random.integers(shape, dtype, -5, 5) : random.uniform(shape, dtype, -1, 1);
            int d = random.nextInt(0, rank - 1);
            Ref rx = Ref.of(x), expected = Ref.zeros(shape);
            int[] p = new int[rank];
            for (int i = 0; i < rx.data.length; i++) {
                Ref.unravel(i, shape, p);
                double s = 0;
                int upto = p[d];
                for (int j = 0; j <= upto; j++) { p[d] = j; s += rx.at(p); }
                expected.data[i] = s;
            }
            Tensor y = x.cumsum(d);
            assertEquals(dtype == DType.I32 ? DType.I64 : dtype, y.dtype());
            assertClose(expected, y, 1e-6, 1e-6, "cumsum trial " + trial);
        }
    }

    @Test
    void oneHotAndTriangularMasks() {
        Tensor labels = Tensor.of(new long[] {2, 0, 1}, 3);
        Tensor oh = labels.oneHot(4);
        assertArrayEquals(new int[] {3, 4}, oh.shape());
        assertArrayEquals(new long[] {0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0}, oh.toLongArray());
        Ref tril = Ref.zeros(3, 4), triu = Ref.zeros(3, 4);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) {
            tril.set(j <= i + 1 ? 1 : 0, i, j);
            triu.set(j >= i - 1 ? 1 : 0, i, j);
        }
        assertExact(tril, Tensor.trilMask(3, 4, 1), "tril k=1");
        assertExact(triu, Tensor.triuMask(3, 4, -1), "triu k=-1");
        assertEquals(DType.BOOL, Tensor.trilMask(2, 2, 0).dtype());
    }
}

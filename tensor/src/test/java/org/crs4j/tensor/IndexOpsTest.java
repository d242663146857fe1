package org.crs4j.tensor;

import static org.crs4j.tensor.testing.TensorAssertions.assertClose;
import static org.crs4j.tensor.testing.TensorAssertions.assertExact;
import static org.junit.jupiter.api.Assertions.*;

import org.crs4j.tensor.cpu.Parallel;
import org.crs4j.tensor.testing.Devices;
import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** gather / index_select / scatter_add / index_add / embedding against naive loops. */
@ParameterizedClass
@MethodSource("org.crs4j.tensor.testing.Devices#all")
class IndexOpsTest {
    private final Device device;
    private final RandomTensors random;

    IndexOpsTest(Device device) {
        this.device = device;
        this.random = new RandomTensors(13, device);
    }

    @BeforeEach
    void deviceIsUsable() {
        Devices.assumeUsable(device, "IndexOpsTest");
    }

    @Test
    void indexSelectAlongEveryDim() {
        for (int trial = 0; trial < 40; trial++) {
            int rank = random.nextInt(1, 3);
            int[] shape = random.shape(rank, 1, 7);
            DType dtype = trial % 4 == 0 ? DType.BF16 : trial % 4 == 1 ? DType.I64 : trial % 4 == 2 ? DType.F64 : DType.F32;
            Tensor x = dtype == DType.I64 ? random.integers(shape, dtype, -100, 100) : random.uniform(shape, dtype, -1, 1);
            int d = random.nextInt(0, rank - 1);
            Tensor idx = random.integers(new int[] {random.nextInt(0, 9)}, trial % 2 == 0 ? DType.I32 : DType.I64, 0, shape[d]);
            Tensor y = x.indexSelect(d, idx);
            Ref rx = Ref.of(x);
            long[] ix = idx.toLongArray();
            int[] outShape = shape.clone();
            outShape[d] = ix.length;
            Ref expected = Ref.zeros(outShape);
            int[] p = new int[rank];
            for (int i = 0; i < expected.data.length; i++) {
                Ref.unravel(i, outShape, p);
                int[] q = p.clone();
                q[d] = (int) ix[p[d]];
                expected.data[i] = rx.at(q);
            }
            assertExact(expected, y, "index_select trial " + trial);
            assertEquals(dtype == DType.BF16 ? DType.F32 : dtype, y.dtype());
        }
    }

    @Test
    void embeddingLookupOfAnyIdShape() {
        Tensor table = random.uniform(new int[] {10, 4}, DType.BF16, -1, 1);
        Tensor ids = Tensor.of(new long[] {3, 0, 9, 3, 1, 2}, 2, 3);
        Tensor e = table.embedding(ids);
        assertArrayEquals(new int[] {2, 3, 4}, e.shape());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int c = 0; c < 4; c++) {
            assertEquals(table.get((int) ids.get(i, j), c), e.get(i, j, c));
        }
        IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class,
                () -> table.embedding(Tensor.of(new long[] {10}, 1)));
        assertTrue(ex.getMessage().contains("index 10"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> table.embedding(Tensor.vector(1f)));
    }

    @Test
    void gatherMatchesTorchSemantics() {
        for (int trial = 0; trial < 40; trial++) {
            int rank = random.nextInt(1, 3);
            int[] shape = random.shape(rank, 1, 6);
            Tensor x = random.uniform(shape, trial % 3 == 0 ? DType.F64 : DType.F32, -1, 1);
            int d = random.nextInt(0, rank - 1);
            int[] ishape = new int[rank];
            for (int i = 0; i < rank; i++) ishape[i] = i == d ? random.nextInt(0, 8) : random.nextInt(1, shape[i]);
            Tensor idx = random.integers(ishape, DType.I64, 0, shape[d]);
            Ref rx = Ref.of(x), ri = Ref.of(idx);
            Ref expected = Ref.zeros(ishape);
            int[] p = new int[rank];
            for (int i = 0; i < expected.data.length; i++) {
                Ref.unravel(i, ishape, p);
                int[] q = p.clone();
                q[d] = (int) ri.data[i];
                expected.data[i] = rx.at(q);
            }
            assertExact(expected, x.gather(d, idx), "gather trial " + trial);
        }
    }

    @Test
    void scatterAddAndIndexAddAccumulateDuplicates() {
        for (int trial = 0; trial < 40; trial++) {
            int rank = random.nextInt(1, 3);
            int[] shape = random.shape(rank, 1, 6);
            Tensor self = random.uniform(shape, -1, 1);
            int d = random.nextInt(0, rank - 1);
            // scatter_add: index <= src in every dim, <= self outside d
            int[] ishape = new int[rank];
            for (int i = 0; i < rank; i++) ishape[i] = i == d ? random.nextInt(0, 9) : random.nextInt(1, shape[i]);
            Tensor idx = random.integers(ishape, DType.I64, 0, shape[d]);
            Tensor src = random.uniform(ishape, -1, 1);
            Ref expected = Ref.of(self);
            Ref ri = Ref.of(idx), rs = Ref.of(src);
            int[] p = new int[rank];
            for (int i = 0; i < ri.data.length; i++) {
                Ref.unravel(i, ishape, p);
                int[] q = p.clone();
                q[d] = (int) ri.data[i];
                expected.set(expected.at(q) + rs.data[i], q);
            }
            assertClose(expected, self.scatterAdd(d, idx, src), 1e-6, 1e-6, "scatter_add trial " + trial);
            // index_add with a 1-d index
            int k = random.nextInt(0, 9);
            Tensor idx1 = random.integers(new int[] {k}, DType.I32, 0, shape[d]);
            int[] sshape = shape.clone();
            sshape[d] = k;
            Tensor src1 = random.uniform(sshape, -1, 1);
            Ref e1 = Ref.of(self), rs1 = Ref.of(src1);
            long[] ix = idx1.toLongArray();
            for (int i = 0; i < rs1.data.length; i++) {
                Ref.unravel(i, sshape, p);
                int[] q = p.clone();
                q[d] = (int) ix[p[d]];
                e1.set(e1.at(q) + rs1.data[i], q);
            }
            assertClose(e1, self.indexAdd(d, idx1, src1), 1e-6, 1e-6, "index_add trial " + trial);
        }
    }

    @Test
    void messagePassingPatternIsDeterministicAcrossThreadCounts() {
        int nodes = 500, edges = 20_000, dim = 37;
        Tensor h = random.uniform(new int[] {nodes, dim}, -1, 1);
        Tensor src = random.integers(new int[] {edges}, DType.I64, 0, nodes);
        Tensor dst = random.integers(new int[] {edges}, DType.I64, 0, nodes);
        Tensor messages = h.indexSelect(0, src);
        Tensor zeros = Tensor.zeros(nodes, dim);
        Tensor viaIndexAdd = zeros.indexAdd(0, dst, messages);
        Tensor viaScatter = zeros.scatterAdd(0, dst.unsqueeze(1).expand(edges, dim), messages);
        assertArrayEquals(viaIndexAdd.toFloatArray(), viaScatter.toFloatArray(), "same order, same bits");
        float[] sequential = Parallel.withMaxChunks(1, () -> zeros.indexAdd(0, dst, messages).toFloatArray());
        assertArrayEquals(sequential, viaIndexAdd.toFloatArray());
        // reference in double
        Ref expected = Ref.zeros(nodes, dim);
        Ref rh = Ref.of(h);
        long[] s = src.toLongArray(), t = dst.toLongArray();
        for (int e = 0; e < edges; e++) {
            for (int c = 0; c < dim; c++) expected.data[(int) t[e] * dim + c] += rh.data[(int) s[e] * dim + c];
        }
        assertClose(expected, viaIndexAdd, 1e-5, 1e-5, "aggregation");
    }

    @Test
    void badIndicesAreRejectedClearly() {
        Tensor x = Tensor.zeros(3, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(0, Tensor.of(new long[] {-1}, 1)));
        assertThrows(IndexOutOfBoundsException.class, () -> x.gather(0, Tensor.of(new long[] {0, 3}, 1, 2)));
        assertThrows(IllegalArgumentException.class, () -> x.indexAdd(0, Tensor.of(new long[] {0}, 1), Tensor.zeros(2, 2)));
        assertThrows(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.vector(0f)));
        assertThrows(IndexOutOfBoundsException.class,
                () -> x.scatterAdd(0, Tensor.of(new long[] {5}, 1, 1), Tensor.zeros(1, 1)));
    }
}

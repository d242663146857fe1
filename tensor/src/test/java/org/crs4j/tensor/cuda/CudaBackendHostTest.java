package org.crs4j.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.crs4j.tensor.Backends;
import org.crs4j.tensor.BinaryOp;
import org.crs4j.tensor.CsrMatrix;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.UnaryOp;
import org.crs4j.tensor.testing.RandomTensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend above its kernels, without a GPU: the backend runs over a {@link RecordingDriver} (host memory,
 * launches checked and recorded, not executed) registered as device cuda:15. What this shows: transfers are exact for
 * every dtype and layout; every op reaches only kernels that exist, with arguments that match their PTX signatures
 * (checked at every launch), grids, blocks and shared memory within an H100's limits; shape and index errors are the
 * CPU backend's, raised before any launch; the allocation pool reuses memory and recovers from exhaustion. What it
 * cannot show: that a kernel computes the right numbers (CudaParityTest, on a GPU).
 */
class CudaBackendHostTest {
    static final Device DEVICE = Device.cuda(15);
    private RecordingDriver driver;
    private CudaBackend backend;
    private final RandomTensors random = new RandomTensors(11);

    @BeforeEach
    void install() {
        driver = new RecordingDriver();
        backend = new CudaBackend(new CudaDevice(DEVICE, driver, d -> new KernelGemm(d, "no cuBLAS (test)")));
        Backends.register(backend);
    }

    @AfterEach
    void remove() {
        Backends.unregister(DEVICE);
    }

    private Tensor dev(Tensor t) {
        return t.toDevice(DEVICE);
    }

    private List<String> kernels() {
        return driver.launches.stream().map(RecordingDriver.Launch::kernel).toList();
    }

    /** The kernels the action launches, in order. */
    private List<String> launchedBy(Runnable action) {
        int before = driver.launches.size();
        action.run();
        return kernels().subList(before, driver.launches.size());
    }

    @Test
    void transfersAreExactForEveryDtypeAndKeepViewStrides() {
        for (DType dt : new DType[] {DType.F32, DType.F64, DType.BF16, DType.F16, DType.I32, DType.I64, DType.BOOL}) {
            Tensor x = dt == DType.BOOL ? random.mask(new int[] {5, 7}, 0.5)
                    : dt.isInteger() ? random.integers(new int[] {5, 7}, dt, -1000, 1000) : random.uniform(new int[] {5, 7}, dt, -3, 3);
            Tensor c = x.contiguous();
            Tensor back = backend.download(dev(c));
            assertEquals(dt, back.dtype());
            assertArrayEquals(c.toDoubleArray(), back.toDoubleArray(), dt + " round trip");
        }
        // a view uploads only the span it covers, keeping its strides: a broadcast row stays one row
        Tensor row = Tensor.vector(1, 2, 3).unsqueeze(0).expand(1000, 3);
        Tensor up = backend.upload(row);
        assertArrayEquals(new int[] {0, 1}, up.strides());
        assertEquals(3, up.storage().length());
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4).mT().narrow(0, 1, 2);
        Tensor v = backend.upload(t);
        assertArrayEquals(t.strides(), v.strides());
        assertEquals(t.shape()[0], v.shape()[0]);
        assertTrue(v.storage().length() <= 11, "only the covered span");
        // operands: 0-d constants are uploaded once, and a small CPU tensor used by several ops (rotary angles in every
        // layer) once while its bytes stay the same
        long[] before = backend.uploads();
        Tensor s1 = backend.on(Tensor.scalar(0.5f)), s2 = backend.on(Tensor.scalar(0.5f));
        assertSame(s1, s2);
        assertEquals(before[0], backend.uploads()[0], "scalars are cached, not counted as uploads");
        Tensor angles = Tensor.vector(1, 2, 3, 4);
        Tensor a1 = backend.on(angles), a2 = backend.on(angles.view(2, 2));
        assertSame(a1.storage(), a2.storage(), "the same bytes: one upload");
        assertEquals(before[0] + 1, backend.uploads()[0]);
        angles.narrow(0, 0, 1).fill(9);
        assertNotSame(a1.storage(), backend.on(angles).storage(), "written since: uploaded again");
        assertArrayEquals(new float[] {1, 2, 3, 4}, backend.download(a1).toFloatArray(), "the earlier upload is untouched");
        // toDevice gives the caller its own copy, never a shared one
        Tensor c = Tensor.scalar(2f);
        Tensor own = c.toDevice(DEVICE);
        own.fill(5);
        assertArrayEquals(new float[] {2}, backend.download(backend.on(c)).toFloatArray());
    }

    @Test
    void contiguousSameDtypeCopiesAreDriverCopiesAndComeBackExact() {
        Tensor x = dev(random.uniform(new int[] {4, 6}, DType.F32, -1, 1).contiguous());
        Tensor y = backend.zeros(DType.F32, 4, 6);
        assertTrue(launchedBy(() -> y.copyFrom(x)).isEmpty(), "a device-to-device copy, no kernel");
        assertArrayEquals(backend.download(x).toFloatArray(), backend.download(y).toFloatArray());
        Tensor transposed = x.mT().contiguous().mT();
        assertEquals(List.of("copy_strided"), launchedBy(() -> y.copyFrom(transposed)));
        assertEquals(List.of("copy_strided"), launchedBy(() -> x.to(DType.BF16)));
        // into a CPU view: downloaded, then copied on the CPU
        Tensor host = Tensor.zeros(4, 6);
        host.copyFrom(x);
        assertArrayEquals(backend.download(x).toFloatArray(), host.toFloatArray());
    }

    @Test
    void everyElementwiseOpLaunchesItsKernelWithMatchingArguments() {
        Tensor a = dev(random.uniform(new int[] {3, 1, 5}, DType.F32, -1, 1)), b = dev(random.uniform(new int[] {4, 1}, DType.BF16, -1, 1));
        Tensor i = dev(random.integers(new int[] {3, 4, 5}, DType.I32, -5, 5));
        for (UnaryOp op : UnaryOp.values()) {
            assertEquals(List.of("unary"), launchedBy(() -> assertArrayEquals(new int[] {3, 1, 5}, a.apply(op).shape())));
        }
        for (BinaryOp op : BinaryOp.values()) {
            Tensor r = a.apply(op, b);
            assertArrayEquals(new int[] {3, 4, 5}, r.shape());
            assertEquals(op.isPredicate() ? DType.BOOL : DType.F32, r.dtype(), op.toString());
        }
        assertEquals(DType.I32, i.add(i).dtype(), "I32 + I32 stays I32, as on the CPU");
        assertEquals(DType.I32, i.neg().dtype());
        assertEquals(DType.F32, i.div(i).dtype());
        Tensor w = Tensor.where(dev(random.mask(new int[] {3, 4, 1}, 0.5)), a, b);
        assertArrayEquals(new int[] {3, 4, 5}, w.shape());
        assertEquals(DType.F32, w.dtype());
        assertTrue(kernels().contains("where_select"));
        // a CPU operand next to a device one runs on the device: the CPU tensor is uploaded
        Tensor mixed = a.add(Tensor.vector(1, 2, 3, 4, 5));
        assertEquals(DEVICE, mixed.device());
        assertEquals(DEVICE, Tensor.vector(1, 2, 3, 4, 5).add(a).device());
    }

    @Test
    void reductionsChooseRowsOrColumnsAndChunkLongOnes() {
        Tensor x = dev(random.uniform(new int[] {6, 7, 8}, DType.F32, -1, 1));
        assertEquals(List.of("reduce_rows_f32"), launchedBy(() -> x.sum(2, false)));
        assertEquals(List.of("reduce_cols_f32"), launchedBy(() -> x.max(1, true)));
        assertEquals(List.of("copy_strided", "reduce_rows_f32"), launchedBy(() -> x.sum(new int[] {0, 2}, false)));
        Tensor longRow = backend.zeros(DType.F32, 2, 100_000);
        assertEquals(List.of("reduce_rows_f32", "reduce_rows_f32"), launchedBy(() -> longRow.sum(1, false)));
        Tensor tall = backend.zeros(DType.F32, 10_000, 3);
        assertEquals(List.of("reduce_cols_f32", "reduce_cols_f32"), launchedBy(() -> tall.sum(0, false)));
        Tensor ints = dev(random.integers(new int[] {4, 5}, DType.I32, -9, 9));
        assertEquals(DType.I64, ints.sum(1, false).dtype());
        assertEquals(DType.I32, ints.max(1, false).dtype());
        assertEquals(DType.I64, x.argmax(1, false).dtype());
        assertArrayEquals(new int[] {6, 1, 8}, x.argmin(1, true).shape());
        assertTrue(kernels().contains("arg_reduce"));
        assertArrayEquals(new int[] {6, 7, 8}, x.cumsum(1).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.zeros(DType.F32, 3, 0).max(1, false));
        assertEquals("MAX over an empty dimension of shape [3, 0]", e.getMessage());
        assertArrayEquals(new int[] {3}, backend.zeros(DType.F32, 3, 0).sum(1, false).shape());
    }

    @Test
    void rowKernelsAndTheirBackward() {
        Tensor x = dev(random.uniform(new int[] {5, 33}, DType.F32, -1, 1)), w = dev(random.uniform(new int[] {33}, DType.BF16, -1, 1));
        assertEquals(List.of("softmax_f32"), launchedBy(() -> x.softmax(-1)));
        assertEquals(List.of("copy_strided", "softmax_f32", "copy_strided"), launchedBy(() -> x.logSoftmax(0)));
        assertEquals(List.of("norm_f32"), launchedBy(() -> x.layerNorm(w, w, 1e-5)));
        assertEquals(List.of("norm_f32"), launchedBy(() -> x.rmsNorm(null, 1e-6)));
        Tensor y = x.softmax(-1);
        assertEquals(List.of("softmax_backward_f32"), launchedBy(() -> Tensor.softmaxBackward(x, y, -1, false)));
        Tensor[] g = Tensor.layerNormBackward(x, x, w, 1e-5, true, true);
        assertArrayEquals(new int[] {33}, g[1].shape());
        assertArrayEquals(new int[] {33}, g[2].shape());
        assertTrue(kernels().containsAll(List.of("norm_backward_f32", "norm_param_grads_f32")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.layerNorm(dev(Tensor.zeros(32)), null, 1e-5));
        assertEquals("normalization weight has shape [32], expected [33] for input [5, 33]", e.getMessage());
        Tensor r = dev(random.uniform(new int[] {2, 3, 4, 8}, DType.F32, -1, 1));
        Tensor cos = Tensor.zeros(1, 1, 4, 4), sin = Tensor.zeros(1, 1, 4, 4);
        assertEquals(List.of("rope_f32"), launchedBy(() -> r.rope(cos, sin, false)));
    }

    @Test
    void matmulTakesTheMatvecKernelForFewRowsAndTheGemmOtherwise() {
        Tensor w = dev(random.uniform(new int[] {48, 32}, DType.BF16, -1, 1)); // a Linear weight [out, in]
        Tensor x1 = dev(random.uniform(new int[] {1, 1, 32}, DType.F32, -1, 1));
        assertEquals(List.of("matvec_rows"), launchedBy(() -> assertArrayEquals(new int[] {1, 1, 48}, x1.matmul(w.mT()).shape())));
        assertEquals(List.of("matvec_cols"), launchedBy(() -> x1.matmul(dev(random.uniform(new int[] {32, 48}, DType.F32, -1, 1)))));
        Tensor x = dev(random.uniform(new int[] {2, 70, 32}, DType.F32, -1, 1));
        // 140 rows: a GEMM (here the kernel fallback, since the test has no cuBLAS); the BF16 weight is widened first
        List<String> k = launchedBy(() -> assertArrayEquals(new int[] {2, 70, 48}, x.matmul(w.mT()).shape()));
        assertEquals(List.of("copy_strided", "segment_matmul"), k);
        Tensor q = dev(random.uniform(new int[] {3, 4, 9, 16}, DType.F32, -1, 1));
        assertEquals(3 * 4, launchedBy(() -> assertArrayEquals(new int[] {3, 4, 9, 9}, q.matmul(q.mT()).shape())).size(),
                "a batched product: one launch per batch entry in the fallback");
        assertArrayEquals(new int[] {5}, dev(Tensor.zeros(5, 7)).matmul(dev(Tensor.zeros(7))).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.matmul(w));
        assertTrue(e.getMessage().startsWith("matmul shapes [3, 4, 9, 16] and [48, 32] do not match"), e.getMessage());
        Tensor xs = dev(random.uniform(new int[] {10, 6}, DType.F32, -1, 1)), ws = dev(random.uniform(new int[] {3, 6, 5}, DType.BF16, -1, 1));
        assertEquals(List.of("segment_matmul"), launchedBy(() -> xs.segmentMatmul(new int[] {0, 4, 4, 10}, ws)));
        Tensor ys = dev(random.uniform(new int[] {10, 5}, DType.F32, -1, 1));
        assertEquals(List.of("segment_transpose_matmul"), launchedBy(() -> xs.segmentTransposeMatmul(new int[] {0, 4, 4, 10}, ys)));
        assertArrayEquals(new int[] {0, 0, 4, 2, 4, 6, 3, 10, 64, 3, 74, 64, 3, 138, 12},
                CudaMatMul.rowTiles(new int[] {0, 4, 4, 10, 150}), "(group, first row, rows) per 64-row tile; empty groups none");
    }

    @Test
    void attentionPicksDecodeOrTiledKernelsAndTheirSharedMemoryFits() {
        Tensor k = dev(random.uniform(new int[] {2, 2, 300, 64}, DType.F32, -1, 1)), v = dev(random.uniform(new int[] {2, 2, 300, 64}, DType.BF16, -1, 1));
        Tensor q1 = dev(random.uniform(new int[] {2, 8, 1, 64}, DType.F32, -1, 1)); // GQA, one new token: 4 rows per kv head
        assertEquals(List.of("attention_decode", "attention_combine"), launchedBy(() -> q1.attention(k, v, null, 0.125)));
        assertEquals(2, driver.launches.get(driver.launches.size() - 2).gy(), "300 keys: two chunks of 256");
        Tensor q = dev(random.uniform(new int[] {2, 8, 100, 64}, DType.F32, -1, 1));
        Tensor mask = Tensor.zeros(2, 1, 1, 300); // padding mask broadcast over heads and queries, left on the CPU
        assertEquals(List.of("attention_forward_64"), launchedBy(() -> q.attention(k, v, mask, 0.125)));
        assertEquals(List.of("attention_forward_64", "attention_row_dot", "attention_backward_dkdv_64", "attention_backward_dq_64"),
                launchedBy(() -> Tensor.attentionBackward(q, k, v, mask, 0.125, q, q, new boolean[] {true, true, true, false})));
        for (int d : new int[] {8, 16, 24, 32, 64, 100, 128}) {
            int D = CudaAttention.headTile(d, d);
            assertTrue(D >= d);
            // sm_80's opt-in limit is 163 KiB per block: every kernel fits the A100 as well as the H100
            assertTrue(CudaAttention.forwardShared(D) <= 166912 && CudaAttention.dkdvShared(D) <= 166912
                    && CudaAttention.dqShared(D) <= 166912, "head dim " + d);
        }
        assertEquals(0, CudaAttention.headTile(256, 256), "wider heads take the composed path");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.attention(k, v, Tensor.zeros(3, 1, 1, 300), 1));
        assertEquals("attention bias [3, 1, 1, 300] does not broadcast to the scores [2, 8, 100, 300]", e.getMessage());
    }

    @Test
    void indexOpsCheckIndicesFirstWithTheCpuMessages() {
        Tensor table = dev(random.uniform(new int[] {10, 4}, DType.BF16, -1, 1));
        Tensor ids = Tensor.of(new long[] {3, 9, 0}, 3);
        assertEquals(List.of("index_select"), launchedBy(() -> assertEquals(DType.F32, table.indexSelect(0, ids).dtype())));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> table.indexSelect(0, Tensor.of(new long[] {3, 10}, 2)));
        assertEquals("index_select: index 10 at position 1 is out of range for a dimension of size 10", e.getMessage());
        // an index already on the device is checked by a kernel, whose first bad position comes back in one read
        List<String> k = launchedBy(() -> table.indexSelect(0, dev(ids)));
        assertEquals(List.of("index_bounds", "index_select"), k);
        Tensor src = dev(random.uniform(new int[] {5, 4}, DType.F32, -1, 1));
        Tensor rows = Tensor.of(new long[] {2, 2, 7, 0, 2}, 5);
        assertEquals(List.of("copy_strided", "index_add_sorted"), launchedBy(() -> table.indexAdd(0, rows, src)));
        Tensor gi = Tensor.of(new long[] {1, 0, 3, 3, 2, 1}, 3, 2);
        assertEquals(List.of("gather"), launchedBy(() -> table.gather(0, gi)));
        IndexOutOfBoundsException g = assertThrows(IndexOutOfBoundsException.class, () -> table.gather(0, Tensor.of(new long[] {1, 11}, 1, 2)));
        assertEquals("gather: index 11 is out of range for size 10", g.getMessage());
        Tensor small = dev(random.uniform(new int[] {2, 2}, DType.F32, -1, 1));
        assertEquals(List.of("copy_strided", "scatter_add_columns"),
                launchedBy(() -> table.scatterAdd(1, Tensor.of(new long[] {1, 0, 3, 3}, 2, 2), small)));
        // message passing: an index expanded along the row is index_add of rows
        Tensor expanded = Tensor.of(new long[] {4, 1, 4, 2, 0}, 5, 1).expand(5, 4);
        assertTrue(launchedBy(() -> table.scatterAdd(0, expanded, src)).contains("index_add_sorted"));
        CsrMatrix a = new CsrMatrix(3, 5, new int[] {0, 2, 2, 5}, new int[] {0, 4, 1, 2, 3}, null);
        assertEquals(List.of("spmm_f32"), launchedBy(() -> assertArrayEquals(new int[] {3, 4}, a.matmul(src).shape())));
        long up = backend.uploads()[0];
        a.matmul(src);
        assertEquals(up, backend.uploads()[0], "the CSR arrays are uploaded once per matrix");
    }

    @Test
    void sortingUsesSharedMemoryForShortRowsAndStagesForLongOnes() {
        Tensor x = dev(random.uniform(new int[] {4, 100}, DType.F32, -1, 1));
        assertEquals(List.of("sort_keys", "bitonic_sort_shared", "sort_output"), launchedBy(() -> x.topk(5, -1, true)));
        Tensor vocab = backend.zeros(DType.F32, 1, 32000);
        List<String> k = launchedBy(() -> vocab.topk(40, -1, true));
        assertEquals(2 + 15 * 16 / 2, k.size(), "keys, 120 bitonic stages for 32768, output");
        Tensor[] s = dev(random.integers(new int[] {3, 6}, DType.I32, 0, 9)).sort(0, false);
        assertEquals(DType.I32, s[0].dtype());
        assertEquals(DType.I64, s[1].dtype());
        assertArrayEquals(new int[] {3, 6}, s[0].shape());
    }

    @Test
    void randomNumbersAdamAndArangeLaunchTheirKernels() {
        Generator rng = new Generator(5);
        assertEquals(List.of("random_fill"), launchedBy(() -> backend.random(Generator.Distribution.NORMAL, rng, 0, 1, DType.F32, 3, 4)));
        assertEquals(12, rng.position(), "the stream advances as on the CPU");
        Tensor p = backend.zeros(DType.F32, 10), m = backend.zeros(DType.F32, 10), v = backend.zeros(DType.F32, 10);
        assertEquals(List.of("adam_f32"), launchedBy(() -> backend.adamUpdate(p, Tensor.ones(10), m, v, 0, 1, 0.9, 0.999, 1e-8, 1e-3, 1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.adamUpdate(p, Tensor.ones(10), Tensor.zeros(10), v, 0, 1, 0.9, 0.999, 1e-8, 1e-3, 1));
        assertTrue(e.getMessage().startsWith("adam_update: parameter and moments must be contiguous tensors on cuda:15"), e.getMessage());
        assertEquals(List.of("arange"), launchedBy(() -> assertArrayEquals(new int[] {4}, backend.arange(0, 2, 0.5, DType.F64).shape())));
        assertTrue(launchedBy(() -> backend.arange(0, 0, 1, DType.I64)).isEmpty(), "nothing to fill");
    }

    @Test
    void thePoolReusesFreedBlocksAndRecoversWhenTheDeviceIsFull() throws InterruptedException {
        DevicePool pool = backend.cuda.pool();
        long a = pool.allocate(1000);
        pool.release(a, 1000);
        assertEquals(a, pool.allocate(900), "same rounded size: the cached block comes back");
        assertEquals(512, DevicePool.rounded(1));
        assertEquals(1024, DevicePool.rounded(513));
        assertEquals(4L << 20, DevicePool.rounded((2L << 20) + 1));
        // exhaustion: unreachable tensors hold the memory until the pool asks for a collection
        driver.limitBytes = driver.allocatedBytes + (64L << 20);
        Supplier<Tensor> big = () -> backend.zeros(DType.F32, 12 << 20); // 48 MiB
        for (int i = 0; i < 6; i++) big.get(); // each becomes garbage at once; the pool recovers every time
        Tensor held = big.get();
        Driver.OutOfDeviceMemory e = assertThrows(Driver.OutOfDeviceMemory.class, big::get);
        assertTrue(e.getMessage().contains("MiB in use by tensors"), e.getMessage());
        assertNotNull(held);
    }

    @Test
    void q8WeightsAreDequantizedOnUploadAndCannotBeCreatedOnTheDevice() {
        Tensor w = random.uniform(new int[] {4, 64}, DType.F32, -1, 1).to(DType.Q8_0);
        Tensor up = backend.upload(w);
        assertEquals(DType.F32, up.dtype());
        assertArrayEquals(w.toFloatArray(), backend.download(up).toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.zeros(DType.Q8_0, 32));
        assertTrue(e.getMessage().startsWith("Q8_0 is a CPU storage format"), e.getMessage());
    }

    @Test
    void everyLaunchSoFarNamedAKernelOfTheModules() {
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = dev(random.uniform(new int[] {3, 4}, DType.F32, -1, 1));
        x.exp().sum().mul(r.nextDouble());
        for (RecordingDriver.Launch l : driver.launches) {
            assertTrue(CudaModules.signatures(l.module()).names().contains(l.kernel()), l.toString());
        }
        assertFalse(driver.launches.isEmpty());
    }
}

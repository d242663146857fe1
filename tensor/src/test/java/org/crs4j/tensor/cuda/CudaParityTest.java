package org.crs4j.tensor.cuda;

import static org.crs4j.tensor.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.function.Function;
import org.crs4j.tensor.BinaryOp;
import org.crs4j.tensor.CsrMatrix;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Generator;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.UnaryOp;
import org.crs4j.tensor.testing.RandomTensors;
import org.crs4j.tensor.testing.Ref;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every op of the CUDA backend against the CPU backend (itself checked against double references by the op tests) on
 * random shapes, dtypes and layouts — the device operands are put into random layouts on the device (transposed,
 * strided, offset), so the kernels' strided addressing is exercised, not only contiguous buffers. Runs where CUDA is
 * usable; elsewhere it is skipped with the reason printed. Where the CUDA kernel sums in the CPU's order
 * (index_add, spmm, cumsum, copies) the results must be equal bit for bit.
 */
class CudaParityTest {
    static final Device CUDA = Device.cuda(0);
    private final RandomTensors random = new RandomTensors(77);

    @BeforeAll
    static void needsCuda() {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.usable()) {
            System.out.println("CudaParityTest skipped: CUDA not usable: " + probe.reason());
            Assumptions.abort("CUDA not usable: " + probe.reason());
        }
    }

    /** t on the GPU, in a random layout there. */
    private Tensor gpu(Tensor t) {
        return random.withRandomLayout(t.toDevice(CUDA));
    }

    private static Tensor cpu(Tensor t) {
        return t.toDevice(Device.CPU);
    }

    /** The op on CPU inputs and on the same inputs on the GPU: same shape and dtype, values within tolerance. */
    private void same(String what, double rtol, double atol, Function<Tensor[], Tensor> op, Tensor... cpuInputs) {
        Tensor[] gpuInputs = new Tensor[cpuInputs.length];
        for (int i = 0; i < cpuInputs.length; i++) gpuInputs[i] = cpuInputs[i] == null ? null : gpu(cpuInputs[i]);
        Tensor expected = op.apply(cpuInputs), actual = op.apply(gpuInputs);
        assertEquals(CUDA, actual.device(), what + ": result on the GPU");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertClose(Ref.of(expected), cpu(actual), rtol, atol, what);
    }

    private static void exact(String what, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), what);
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertArrayEquals(expected.toDoubleArray(), cpu(actual).toDoubleArray(), what + " (bit for bit)");
    }

    private int[] shape(int rank) {
        return random.shape(rank, 1, 9);
    }

    @Test
    void transfersAndConversionsBetweenEveryPairOfDtypes() {
        DType[] all = {DType.F32, DType.F64, DType.BF16, DType.F16, DType.I32, DType.I64, DType.BOOL};
        for (DType from : all) {
            Tensor x = from == DType.BOOL ? random.mask(shape(3), 0.5)
                    : from.isInteger() ? random.integers(shape(3), from, -300, 300) : random.uniform(shape(3), from, -300, 300);
            exact(from + " round trip", x.contiguous(), gpu(x).toDevice(Device.CPU));
            for (DType to : all) exact(from + " -> " + to, x.to(to), gpu(x).to(to));
        }
        Tensor special = Tensor.of(new float[] {Float.NaN, -0f, 0.5f, -0.5f, 1e30f, -1e30f, Float.POSITIVE_INFINITY, 3.99f}, 8);
        for (DType to : all) exact("special -> " + to, special.to(to), gpu(special).to(to));
        Tensor dst = Tensor.zeros(3, 4).toDevice(CUDA);
        dst.narrow(1, 1, 2).copyFrom(Tensor.vector(7, 8));
        exact("broadcast copy into a view", Tensor.zeros(3, 4).narrow(1, 1, 2).copyFrom(Tensor.vector(7, 8)), dst.narrow(1, 1, 2));
    }

    @Test
    void elementwise() {
        for (UnaryOp op : UnaryOp.values()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F64, DType.I32}) {
                double lo = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT ? 0.01 : -6;
                Tensor x = dt == DType.I32 ? random.integers(shape(3), dt, -9, 9) : random.uniform(shape(3), dt, lo, 6);
                same(op + " " + dt, dt == DType.F64 ? 1e-12 : 2e-6, 1e-7, t -> t[0].apply(op), x);
            }
        }
        for (BinaryOp op : BinaryOp.values()) {
            Tensor a = random.uniform(new int[] {4, 1, 6}, DType.F32, 0.1, 3), b = random.uniform(new int[] {5, 1}, DType.BF16, 0.1, 3);
            same(op + " broadcast", 2e-6, 1e-7, t -> t[0].apply(op, t[1]), a, b);
            Tensor i = random.integers(new int[] {3, 5}, DType.I64, -9, 9), j = random.integers(new int[] {5}, DType.I32, 1, 9);
            if (op != BinaryOp.POW) same(op + " integers", 0, 0, t -> t[0].apply(op, t[1]), i, j);
            same(op + " F64", 1e-12, 1e-14, t -> t[0].apply(op, t[1]), a.to(DType.F64), b);
        }
        same("where", 0, 0, t -> Tensor.where(t[0], t[1], t[2]), random.mask(new int[] {3, 1, 4}, 0.5),
                random.uniform(new int[] {5, 4}, -1, 1), random.uniform(new int[] {3, 5, 1}, DType.F64, -1, 1));
        same("scalar constants", 2e-6, 0, t -> t[0].mul(0.5).add(3).maskedFill(t[0].gt(0), -1), random.uniform(shape(2), -1, 1));
    }

    @Test
    void reductions() {
        for (int trial = 0; trial < 12; trial++) {
            int rank = random.nextInt(1, 4);
            Tensor x = random.uniform(shape(rank), trial % 3 == 0 ? DType.F64 : DType.F32, -100, 100);
            int d = random.nextInt(0, rank - 1);
            boolean keep = trial % 2 == 0;
            same("sum dim " + d, 1e-5, 1e-3, t -> t[0].sum(d, keep), x);
            same("max", 0, 0, t -> t[0].max(d, keep), x);
            same("min all", 0, 0, t -> t[0].min(), x);
            same("sum all", 1e-5, 1e-3, t -> t[0].sum(), x);
            same("argmax", 0, 0, t -> t[0].argmax(d, keep), x);
            same("argmin", 0, 0, t -> t[0].argmin(d, false), x);
            same("mean, var", 1e-5, 1e-4, t -> t[0].var(d, keep), x);
            same("logsumexp", 1e-5, 1e-5, t -> t[0].logsumexp(d, keep), x);
        }
        Tensor ints = random.integers(new int[] {7, 9}, DType.I32, -1000, 1000);
        same("integer sum", 0, 0, t -> t[0].sum(1, false), ints);
        same("integer max", 0, 0, t -> t[0].max(0, true), ints);
        Tensor ties = Tensor.of(new float[] {1, 3, 3, Float.NaN, 3, 0, 2, 2, 2}, 3, 3);
        same("argmax with ties and NaN", 0, 0, t -> t[0].argmax(1, false), ties);
        same("long rows (two passes)", 1e-5, 1e-2, t -> t[0].sum(1, false), random.uniform(new int[] {3, 70_000}, -1, 1));
        same("tall columns (two passes)", 1e-5, 1e-2, t -> t[0].sum(0, false), random.uniform(new int[] {9_000, 5}, -1, 1));
        Tensor c = random.uniform(new int[] {4, 33}, -1, 1);
        exact("cumsum (the CPU's order)", c.cumsum(1), gpu(c).cumsum(1));
        same("cumsum along dim 0", 1e-6, 1e-6, t -> t[0].cumsum(0), c);
    }

    @Test
    void rowKernelsAndTheirGradients() {
        for (int n : new int[] {1, 7, 64, 300, 5000}) {
            Tensor x = random.uniform(new int[] {3, n}, -20, 20), g = random.uniform(new int[] {3, n}, -1, 1);
            Tensor w = random.uniform(new int[] {n}, DType.BF16, -2, 2), b = random.uniform(new int[] {n}, -1, 1);
            same("softmax " + n, 1e-5, 1e-7, t -> t[0].softmax(-1), x);
            same("log-softmax dim 0 " + n, 1e-5, 1e-5, t -> t[0].logSoftmax(0), x);
            same("layer norm " + n, 1e-4, 1e-5, t -> t[0].layerNorm(t[1], t[2], 1e-5), x, w, b);
            same("rms norm " + n, 1e-4, 1e-5, t -> t[0].rmsNorm(t[1], 1e-6), x, w);
            Tensor y = x.softmax(-1);
            same("softmax backward " + n, 1e-5, 1e-6, t -> Tensor.softmaxBackward(t[0], t[1], -1, false), g, y);
            for (int part = 0; part < 3; part++) {
                int p = part;
                same("layer norm backward " + n + " part " + p, 1e-4, 1e-4,
                        t -> Tensor.layerNormBackward(t[0], t[1], t[2], 1e-5, true, true)[p], g, x, w.to(DType.F32));
            }
            same("rms norm backward " + n, 1e-4, 1e-4, t -> Tensor.rmsNormBackward(t[0], t[1], t[2], 1e-6, true)[1], g, x, w);
        }
        for (boolean interleaved : new boolean[] {false, true}) {
            Tensor x = random.uniform(new int[] {2, 3, 5, 8}, -1, 1), cos = random.uniform(new int[] {1, 1, 5, 4}, -1, 1),
                    sin = random.uniform(new int[] {2, 1, 5, 4}, -1, 1);
            same("rope interleaved=" + interleaved, 1e-6, 1e-7, t -> t[0].rope(t[1], t[2], interleaved), x, cos, sin);
        }
    }

    @Test
    void matrixProducts() {
        int[][] shapes = {{5, 7, 3}, {1, 64, 96}, {3, 256, 300}, {200, 130, 70}, {8, 4096, 11}};
        for (int[] s : shapes) {
            Tensor a = random.uniform(new int[] {s[0], s[1]}, -1, 1), b = random.uniform(new int[] {s[1], s[2]}, -1, 1);
            same("matmul " + Arrays.toString(s), 1e-5, 1e-5 * Math.sqrt(s[1]), t -> t[0].matmul(t[1]), a, b);
            same("matmul BF16 weight^T " + Arrays.toString(s), 1e-5, 1e-5 * Math.sqrt(s[1]), t -> t[0].matmul(t[1].mT()), a,
                    random.uniform(new int[] {s[2], s[1]}, DType.BF16, -1, 1));
        }
        same("batched, broadcast", 1e-5, 1e-5, t -> t[0].matmul(t[1]), random.uniform(new int[] {2, 1, 9, 17}, -1, 1),
                random.uniform(new int[] {3, 17, 5}, -1, 1));
        same("vector times matrix", 1e-5, 1e-5, t -> t[0].matmul(t[1]), random.uniform(new int[] {17}, -1, 1),
                random.uniform(new int[] {17, 5}, -1, 1));
        same("F64", 1e-12, 1e-12, t -> t[0].matmul(t[1]), random.uniform(new int[] {9, 17}, DType.F64, -1, 1),
                random.uniform(new int[] {17, 5}, -1, 1));
        same("two BF16 operands", 1e-5, 1e-5, t -> t[0].matmul(t[1]), random.uniform(new int[] {40, 33}, DType.BF16, -1, 1),
                random.uniform(new int[] {33, 20}, DType.BF16, -1, 1));
        int[] offsets = {0, 5, 5, 70, 71};
        Tensor x = random.uniform(new int[] {71, 12}, -1, 1), w = random.uniform(new int[] {4, 12, 9}, DType.BF16, -1, 1);
        same("segment matmul", 1e-5, 1e-5, t -> t[0].segmentMatmul(offsets, t[1]), x, w);
        same("segment matmul, transposed weights", 1e-5, 1e-5, t -> t[0].segmentMatmul(offsets, t[1].transpose(1, 2)),
                random.uniform(new int[] {71, 9}, -1, 1), w);
        same("segment transpose matmul", 1e-5, 1e-5, t -> t[0].segmentTransposeMatmul(offsets, t[1]), x,
                random.uniform(new int[] {71, 9}, -1, 1));
    }

    @Test
    void attentionForwardAndBackward() {
        int[][] shapes = { // b, h, hkv, tq, tk, d, dv
                {1, 8, 2, 1, 300, 64, 64}, {2, 4, 4, 3, 17, 8, 8}, {2, 8, 2, 70, 130, 64, 64}, {1, 16, 16, 128, 128, 64, 64},
                {1, 32, 8, 65, 200, 128, 128}, {1, 2, 1, 5, 9, 256, 256}, {2, 4, 2, 33, 40, 16, 24}};
        for (int[] s : shapes) {
            Tensor q = random.uniform(new int[] {s[0], s[1], s[3], s[5]}, -1, 1);
            Tensor k = random.uniform(new int[] {s[0], s[2], s[4], s[5]}, DType.BF16, -1, 1);
            Tensor v = random.uniform(new int[] {s[0], s[2], s[4], s[6]}, -1, 1);
            Tensor mask = Tensor.zeros(s[0], 1, 1, s[4]).maskedFill(random.mask(new int[] {s[0], 1, 1, s[4]}, 0.2), -Float.MAX_VALUE);
            double scale = 1 / Math.sqrt(s[5]);
            String what = Arrays.toString(s);
            same(what, 1e-4, 1e-5, t -> t[0].attention(t[1], t[2], t[3], scale), q, k, v, mask);
            same(what + " no bias", 1e-4, 1e-5, t -> t[0].attention(t[1], t[2], null, scale), q, k, v);
            Tensor g = random.uniform(new int[] {s[0], s[1], s[3], s[6]}, -1, 1);
            for (int which = 0; which < 3; which++) {
                int w = which;
                same(what + " gradient " + w, 1e-4, 1e-4, t -> {
                    Tensor out = t[0].attention(t[1], t[2], t[3], scale);
                    return Tensor.attentionBackward(t[0], t[1], t[2], t[3], scale, out, t[4], new boolean[] {true, true, true, false})[w];
                }, q, k, v, mask, g);
            }
        }
        same("F64 (composed)", 1e-12, 1e-12, t -> t[0].attention(t[1], t[2], null, 0.3),
                random.uniform(new int[] {1, 2, 5, 8}, DType.F64, -1, 1), random.uniform(new int[] {1, 2, 6, 8}, -1, 1),
                random.uniform(new int[] {1, 2, 6, 8}, -1, 1));
        // the causal flag of the CUDA backend equals an additive causal mask
        Tensor q = random.uniform(new int[] {1, 4, 70, 32}, -1, 1), k = random.uniform(new int[] {1, 2, 100, 32}, -1, 1);
        Tensor causal = Tensor.zeros(70, 100).maskedFill(Tensor.trilMask(70, 100, 30).not(), Double.NEGATIVE_INFINITY);
        CudaBackend backend = (CudaBackend) org.crs4j.tensor.Backends.get(CUDA);
        assertClose(Ref.of(q.attention(k, k, causal, 0.2)), cpu(backend.attention(gpu(q), gpu(k), gpu(k), null, 0.2, true)),
                1e-4, 1e-5, "causal flag");
        Tensor g = random.uniform(new int[] {1, 4, 70, 32}, -1, 1);
        boolean[] all = {true, true, true};
        Tensor[] want = Tensor.attentionBackward(q, k, k, causal, 0.2, q.attention(k, k, causal, 0.2), g, all);
        Tensor qg = gpu(q), kg = gpu(k), gg = gpu(g);
        Tensor[] got = backend.attentionBackward(qg, kg, kg, null, 0.2, backend.attention(qg, kg, kg, null, 0.2, true), gg, all, true);
        for (int i = 0; i < 3; i++) assertClose(Ref.of(want[i]), cpu(got[i]), 1e-4, 1e-4, "causal flag, gradient " + i);
    }

    @Test
    void indexOpsAndGraphAggregation() {
        Tensor table = random.uniform(new int[] {50, 16}, DType.BF16, -1, 1);
        Tensor ids = random.integers(new int[] {30}, DType.I64, 0, 50);
        same("embedding rows", 0, 0, t -> t[0].indexSelect(0, t[1]), table, ids);
        same("index_select dim 1", 0, 0, t -> t[0].indexSelect(1, t[1]), table, random.integers(new int[] {7}, DType.I32, 0, 16));
        Tensor gi = random.integers(new int[] {4, 16}, DType.I64, 0, 50);
        same("gather", 0, 0, t -> t[0].gather(0, t[1]), table, gi);
        Tensor src = random.uniform(new int[] {30, 16}, -1, 1);
        Tensor base = random.uniform(new int[] {50, 16}, -1, 1);
        exact("index_add (deterministic, the CPU's order)", base.indexAdd(0, ids, src), gpu(base).indexAdd(0, gpu(ids), gpu(src)));
        Tensor once = gpu(base).indexAdd(0, ids, src);
        exact("index_add again: same bits", cpu(once), gpu(base).indexAdd(0, ids, src));
        same("index_add dim 1", 0, 0, t -> t[0].indexAdd(1, t[1], t[2]), base, random.integers(new int[] {5}, DType.I64, 0, 16),
                random.uniform(new int[] {50, 5}, -1, 1));
        Tensor si = random.integers(new int[] {6, 16}, DType.I64, 0, 50);
        exact("scatter_add (columns in order)", base.scatterAdd(0, si, src), gpu(base).scatterAdd(0, gpu(si), gpu(src)));
        Tensor rows = random.integers(new int[] {30, 1}, DType.I64, 0, 50).expand(30, 16);
        exact("scatter_add of rows", base.scatterAdd(0, rows, src), gpu(base).scatterAdd(0, rows, gpu(src)));
        int n = 60, nnz = 400;
        int[] ptr = new int[n + 1], col = new int[nnz];
        float[] val = new float[nnz];
        for (int e = 0; e < nnz; e++) {
            ptr[random.nextInt(0, n - 1) + 1]++;
            col[e] = random.nextInt(0, 49);
            val[e] = (float) random.rng().nextDouble(-1, 1);
        }
        for (int r = 0; r < n; r++) ptr[r + 1] += ptr[r];
        CsrMatrix a = new CsrMatrix(n, 50, ptr, col, val), unit = a.withValues(null);
        Tensor x = random.uniform(new int[] {50, 24}, -1, 1);
        exact("spmm (the CPU's order)", a.matmul(x), a.matmul(gpu(x)));
        exact("spmm, unit values", unit.matmul(x), unit.matmul(gpu(x)));
        Tensor y = random.uniform(new int[] {60, 3}, -1, 1);
        exact("spmm transpose", a.transpose().matmul(y), a.transpose().matmul(gpu(y)));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> gpu(table).indexSelect(0, Tensor.of(new long[] {1, 50}, 2).toDevice(CUDA)));
        assertEquals("index_select: index 50 at position 1 is out of range for a dimension of size 50", e.getMessage());
    }

    @Test
    void sortingRandomNumbersAdamArange() {
        for (int n : new int[] {1, 5, 100, 2048, 2049, 32000}) {
            Tensor x = random.uniform(new int[] {3, n}, -1, 1);
            if (n > 4) x.narrow(1, 0, 3).copyFrom(Tensor.vector(Float.NaN, 0.5f, 0.5f));
            for (boolean desc : new boolean[] {false, true}) {
                Tensor[] c = x.topk(Math.min(n, 40), -1, desc), g = gpu(x).topk(Math.min(n, 40), -1, desc);
                exact("topk values " + n, c[0], g[0]);
                exact("topk indices " + n, c[1], g[1]);
            }
            Tensor[] c = x.sort(0, false), g = gpu(x).sort(0, false);
            exact("sort along dim 0 " + n, c[1], g[1]);
        }
        for (Generator.Distribution dist : Generator.Distribution.values()) {
            for (DType dt : new DType[] {DType.F32, DType.F64}) {
                Tensor c = org.crs4j.tensor.Backends.get(Device.CPU).random(dist, new Generator(9), -1, 2, dt, 1000);
                Tensor g = org.crs4j.tensor.Backends.get(CUDA).random(dist, new Generator(9), -1, 2, dt, 1000);
                // uniform: the same Philox bits and arithmetic; normal: log and cos of CUDA's libdevice vs Java's
                assertClose(Ref.of(c), cpu(g), dist == Generator.Distribution.UNIFORM ? 0 : 1e-14, dist == Generator.Distribution.UNIFORM ? 0 : 1e-14,
                        dist + " " + dt);
            }
        }
        Tensor p = random.uniform(new int[] {1000}, -1, 1).contiguous();
        Tensor grad = random.uniform(new int[] {1000}, -1, 1);
        Tensor pc = p.copy(), mc = Tensor.zeros(1000), vc = Tensor.zeros(1000);
        Tensor pg = p.toDevice(CUDA), mg = Tensor.zeros(1000).toDevice(CUDA), vg = Tensor.zeros(1000).toDevice(CUDA);
        for (int step = 1; step <= 3; step++) {
            double stepSize = 1e-2 / (1 - Math.pow(0.9, step)), bc2 = Math.sqrt(1 - Math.pow(0.999, step));
            pc.backend().adamUpdate(pc, grad, mc, vc, 0, 1 - 1e-4, 0.9, 0.999, 1e-8, stepSize, bc2);
            pg.backend().adamUpdate(pg, grad, mg, vg, 0, 1 - 1e-4, 0.9, 0.999, 1e-8, stepSize, bc2);
        }
        assertClose(Ref.of(pc), cpu(pg), 1e-6, 1e-7, "adamw, three steps");
        exact("arange", Tensor.arange(-3, 7.5, 0.25, DType.F32), org.crs4j.tensor.Backends.get(CUDA).arange(-3, 7.5, 0.25, DType.F32));
    }
}

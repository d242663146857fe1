package org.crs4j.tensor.cuda;

import static org.crs4j.tensor.cuda.CudaTensors.address;
import static org.crs4j.tensor.cuda.CudaTensors.code;
import static org.crs4j.tensor.cuda.CudaTensors.domain;
import static org.crs4j.tensor.cuda.CudaTensors.domainCode;

import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;
import org.crs4j.tensor.CsrMatrix;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Tensor;

/**
 * gather, index_select, index_add, scatter_add and sparse-times-dense on the GPU: the primitives of embedding lookup
 * and graph aggregation.
 *
 * <p>Indices are checked before any kernel runs, with the CPU backend's messages: on the host when the index tensor is
 * there (token ids, graph edges usually are), else by a kernel that finds the first bad position (one small
 * synchronising read).
 *
 * <p>Additions into shared destinations are deterministic by default: index_add groups sources by destination with a
 * counting sort on the host and adds each destination's sources in source order, one thread per destination element
 * (the CPU's order: F32 results equal the CPU's bit for bit); scatter_add walks each column along the dim in order.
 * {@code -Dcrs4j.cuda.deterministic=false} switches both to atomicAdd from one thread per source element (faster when
 * destinations are few; float sums then vary in their last bits from run to run).
 */
final class CudaIndexing {
    static final boolean DETERMINISTIC = !"false".equals(System.getProperty("crs4j.cuda.deterministic"));

    private final CudaBackend backend;
    private final CudaTensors tensors;
    private final CudaDevice cuda;
    /** Device copies of CSR matrices (immutable by contract), kept while the matrix lives. */
    private final Map<CsrMatrix, Tensor[]> csr = new WeakHashMap<>();

    CudaIndexing(CudaBackend backend) {
        this.backend = backend;
        this.tensors = backend.tensors;
        this.cuda = backend.cuda;
    }

    private static DType valueType(DType t) {
        return t == DType.BF16 || t == DType.F16 || t == DType.Q8_0 ? DType.F32 : t;
    }

    // ------------------------------------------------------------------ index checks

    /**
     * The index on this device after checking every value against [0, size): IndexOutOfBoundsException naming the first
     * bad position and its value (the CPU's message), before anything is computed.
     */
    private Tensor checkedIndex(Tensor index, int size, String op, boolean withPosition) {
        if (index.dtype() != DType.I64 && index.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": index must be I32 or I64, got " + index.dtype());
        }
        if (index.device().kind() == Device.Kind.CPU) {
            long[] idx = index.toLongArray();
            for (int i = 0; i < idx.length; i++) if (idx[i] < 0 || idx[i] >= size) throw outOfRange(op, idx[i], i, size, withPosition);
            return backend.on(index);
        }
        Tensor ix = backend.on(index);
        if (ix.numel() == 0) return ix;
        Tensor firstBad = tensors.upload(Tensor.of(new long[] {Long.MAX_VALUE}, 1)); // written by the kernel: a fresh copy
        Layout l = Layout.of(ix.shape(), ix.strides());
        cuda.launch1d("index", "index_bounds", ix.numel(), (long) ix.numel(), l.toInts(), address(ix), code(ix.dtype()), size,
                address(firstBad));
        long bad = tensors.download(firstBad).toLongArray()[0];
        if (bad != Long.MAX_VALUE) {
            long value = tensors.download(ix).toLongArray()[(int) bad];
            throw outOfRange(op, value, (int) bad, size, withPosition);
        }
        return ix;
    }

    private static IndexOutOfBoundsException outOfRange(String op, long value, int position, int size, boolean withPosition) {
        return new IndexOutOfBoundsException(withPosition
                ? op + ": index " + value + " at position " + position + " is out of range for a dimension of size " + size
                : op + ": index " + value + " is out of range for size " + size);
    }

    private static int[] without(int[] a, int dim) {
        int[] out = new int[a.length - 1];
        for (int i = 0, j = 0; i < a.length; i++) if (i != dim) out[j++] = a[i];
        return out;
    }

    // ------------------------------------------------------------------ gather, index_select

    private static void checkGatherShapes(String op, Tensor data, int dim, Tensor index) {
        if (index.dim() != data.dim()) {
            throw new IllegalArgumentException(op + ": index has rank " + index.dim() + ", data has rank " + data.dim());
        }
        for (int d = 0; d < data.dim(); d++) {
            if (d != dim && index.size(d) > data.size(d)) {
                throw new IllegalArgumentException(op + ": index shape " + Arrays.toString(index.shape())
                        + " exceeds data shape " + Arrays.toString(data.shape()) + " at dim " + d);
            }
        }
    }

    Tensor gather(Tensor x, int dim, Tensor index) {
        checkGatherShapes("gather", x, dim, index);
        Tensor ix = checkedIndex(index, x.size(dim), "gather", false);
        DType vt = valueType(x.dtype());
        int[] shape = ix.shape();
        Tensor out = tensors.empty(vt, shape);
        if (out.numel() == 0) return out;
        int[] base = x.strides();
        base[dim] = 0;
        Layout l = Layout.of(shape, out.strides(), base, ix.strides());
        cuda.launch1d("index", "gather", out.numel(), (long) out.numel(), l.toInts(), address(out), code(vt), address(x),
                code(x.dtype()), address(ix), code(ix.dtype()), x.stride(dim));
        return out;
    }

    Tensor indexSelect(Tensor x, int dim, Tensor index) {
        if (index.dim() > 1) throw new IllegalArgumentException("index_select: index must be 0-d or 1-d, got shape "
                + Arrays.toString(index.shape()));
        Tensor ix = tensors.contiguous(checkedIndex(index, x.size(dim), "index_select", true), DType.I64);
        int len = ix.numel();
        int[] outShape = x.shape();
        outShape[dim] = len;
        DType vt = valueType(x.dtype());
        Tensor out = tensors.empty(vt, outShape);
        if (out.numel() == 0) return out;
        int inner = 1;
        for (int d = dim + 1; d < x.dim(); d++) inner *= x.size(d);
        Layout l = Layout.of(without(x.shape(), dim), without(x.strides(), dim));
        cuda.launch1d("index", "index_select", out.numel(), (long) out.numel(), l.toInts(), len, inner, address(out), code(vt),
                address(x), code(x.dtype()), address(ix), x.stride(dim));
        return out;
    }

    // ------------------------------------------------------------------ index_add, scatter_add

    Tensor indexAdd(Tensor self, int dim, Tensor index, Tensor src) {
        if (index.dim() > 1) throw new IllegalArgumentException("index_add: index must be 0-d or 1-d, got shape "
                + Arrays.toString(index.shape()));
        if (index.dtype() != DType.I64 && index.dtype() != DType.I32) {
            throw new IllegalArgumentException("index_add: index must be I32 or I64, got " + index.dtype());
        }
        int size = self.size(dim);
        // the counting sort needs the indices on the host; checking them there costs nothing more
        long[] idx = index.toLongArray();
        for (int i = 0; i < idx.length; i++) if (idx[i] < 0 || idx[i] >= size) throw outOfRange("index_add", idx[i], i, size, true);
        int[] expected = self.shape();
        expected[dim] = idx.length;
        if (!Arrays.equals(expected, src.shape())) {
            throw new IllegalArgumentException("index_add: source has shape " + Arrays.toString(src.shape())
                    + ", expected " + Arrays.toString(expected));
        }
        DType domain = domain(DType.promote(self.dtype(), src.dtype()));
        Tensor out = tensors.empty(domain, self.shape());
        tensors.copy(self, out);
        int others = out.numel() / Math.max(size, 1);
        if (idx.length == 0 || others == 0) return out;
        Layout l = Layout.of(without(out.shape(), dim), without(out.strides(), dim), without(src.strides(), dim));
        if (DETERMINISTIC) {
            Tensor[] sorted = destinations(index, idx, size);
            Tensor st = sorted[0], od = sorted[1];
            cuda.launch1d("index", "index_add_sorted", (long) size * others, (long) size * others, l.toInts(), others,
                    address(out), domainCode(domain), out.stride(dim), address(src), code(src.dtype()), src.stride(dim),
                    address(st), address(od));
        } else {
            Tensor ix = destinations(index, idx, size)[2];
            cuda.launch1d("index", "index_add_atomic", (long) idx.length * others, (long) idx.length * others, l.toInts(),
                    others, address(out), domainCode(domain), out.stride(dim), address(src), code(src.dtype()),
                    src.stride(dim), address(ix));
        }
        return out;
    }

    /** An index_add's destinations on the device: {start [size + 1], order [E]} of the counting sort, and the index. */
    private record Sorted(long[] values, int size, Tensor start, Tensor order, Tensor index) {}

    /**
     * The index's counting sort by destination and its device copies, kept per index storage while that storage lives:
     * a graph layer adds into the same destinations every step, and sorting and uploading them again each time would
     * cost more than the addition. The values are compared on every use, so a modified index is sorted afresh.
     */
    private final Map<Object, Sorted> sortedCache = new WeakHashMap<>();

    private Tensor[] destinations(Tensor index, long[] idx, int size) {
        Object key = index.storage();
        synchronized (sortedCache) {
            Sorted c = sortedCache.get(key);
            if (c != null && c.size() == size && Arrays.equals(c.values(), idx)) return new Tensor[] {c.start(), c.order(), c.index()};
        }
        int[] start = new int[size + 1];
        for (long d : idx) start[(int) d + 1]++;
        for (int r = 0; r < size; r++) start[r + 1] += start[r];
        int[] order = new int[idx.length], fill = Arrays.copyOf(start, size);
        for (int j = 0; j < idx.length; j++) order[fill[(int) idx[j]]++] = j;
        Sorted c = new Sorted(idx, size, backend.on(Tensor.of(start, start.length)), backend.on(Tensor.of(order, order.length)),
                backend.on(Tensor.of(idx, idx.length)));
        synchronized (sortedCache) {
            sortedCache.put(key, c);
        }
        return new Tensor[] {c.start(), c.order(), c.index()};
    }

    Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        checkGatherShapes("scatter_add", self, dim, index);
        for (int d = 0; d < index.dim(); d++) {
            if (index.size(d) > src.size(d)) {
                throw new IllegalArgumentException("scatter_add: index shape " + Arrays.toString(index.shape())
                        + " exceeds source shape " + Arrays.toString(src.shape()) + " at dim " + d);
            }
        }
        // message passing: a 1-d index expanded along the other dim is index_add of whole rows
        if (index.dim() == 2 && dim == 0 && index.stride(1) == 0 && index.size(1) == self.size(1)) {
            return indexAdd(self, 0, index.select(1, 0), src.narrow(1, 0, index.size(1)).narrow(0, 0, index.size(0)));
        }
        Tensor ix = checkedIndex(index, self.size(dim), "scatter_add", false);
        DType domain = domain(DType.promote(self.dtype(), src.dtype()));
        Tensor out = tensors.empty(domain, self.shape());
        tensors.copy(self, out);
        int[] shape = ix.shape();
        if (ix.numel() == 0) return out;
        Tensor srcView = new Tensor(src.storage(), shape, src.strides(), src.offset());
        if (DETERMINISTIC) {
            int along = shape[dim], columns = ix.numel() / along;
            int[] outBase = out.strides();
            outBase[dim] = 0;
            Layout l = Layout.of(without(shape, dim), without(outBase, dim), without(srcView.strides(), dim), without(ix.strides(), dim));
            cuda.launch1d("index", "scatter_add_columns", columns, (long) columns, l.toInts(), along, address(out),
                    domainCode(domain), out.stride(dim), address(srcView), code(src.dtype()), srcView.stride(dim), address(ix),
                    code(ix.dtype()), ix.stride(dim));
        } else {
            int[] outBase = out.strides();
            outBase[dim] = 0;
            Layout l = Layout.of(shape, outBase, srcView.strides(), ix.strides());
            cuda.launch1d("index", "scatter_add_atomic", ix.numel(), (long) ix.numel(), l.toInts(), address(out),
                    domainCode(domain), out.stride(dim), address(srcView), code(src.dtype()), address(ix), code(ix.dtype()));
        }
        return out;
    }

    // ------------------------------------------------------------------ spmm

    private Tensor[] deviceCsr(CsrMatrix a) {
        synchronized (csr) {
            Tensor[] t = csr.get(a);
            if (t == null) {
                t = new Tensor[] {backend.on(Tensor.of(a.rowPtr(), a.rows() + 1)), backend.on(Tensor.of(a.colIdx(), a.nnz())),
                        a.values() == null ? null : backend.on(Tensor.of(a.values(), a.nnz()))};
                csr.put(a, t);
            }
            return t;
        }
    }

    Tensor spmm(CsrMatrix a, Tensor x) {
        boolean vector = x.dim() == 1;
        Tensor x2 = vector ? x.unsqueeze(1) : x;
        if (x2.dim() != 2 || x2.size(0) != a.cols()) {
            throw new IllegalArgumentException("spmm: " + a + " cannot multiply a dense operand of shape " + Arrays.toString(x.shape()));
        }
        int d = x2.size(1);
        DType domain = domain(x.dtype()) == DType.F64 ? DType.F64 : DType.F32;
        Tensor xs = tensors.contiguous(x2, domain);
        Tensor out = tensors.empty(domain, a.rows(), d);
        if (a.rows() > 0 && d > 0) {
            Tensor[] m = deviceCsr(a);
            int block = d >= 256 ? 256 : Math.max(32, (d + 31) / 32 * 32);
            cuda.launch("index", domain == DType.F32 ? "spmm_f32" : "spmm_f64", Math.min(a.rows(), 65535), 1, 1, block, 0,
                    a.rows(), d, address(m[0]), address(m[1]), m[2] == null ? 0L : address(m[2]), address(xs), address(out));
        }
        return vector ? out.squeeze(1) : out;
    }
}

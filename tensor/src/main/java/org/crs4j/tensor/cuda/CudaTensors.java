package org.crs4j.tensor.cuda;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.Device;
import org.crs4j.tensor.Shape;
import org.crs4j.tensor.Tensor;
import org.crs4j.tensor.cpu.CpuStorage;

/**
 * Moving tensors to and from one device, and the small conversions every CUDA op starts with: operands brought onto
 * the device, into a dtype, made contiguous.
 *
 * <p><b>Operands on the CPU.</b> An op with a CUDA operand runs on CUDA (see {@code Backends.of}); its CPU operands —
 * token ids, positions, masks, rotary angles, scalars — are uploaded as the op needs them. Only the span of storage a
 * view covers is copied and the view's strides are kept, so a broadcast view ({@code expand}) uploads its small source,
 * not the expanded tensor. Uploads are counted ({@link #uploads()}): a model whose weights were left on the CPU shows
 * up there as gigabytes per token. 0-d constants ({@code x.mul(0.5)}) are uploaded once and cached by value.
 */
final class CudaTensors {
    private final CudaDevice device;
    private record ScalarKey(DType dtype, long bits) {}

    private final Map<ScalarKey, Tensor> scalars = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ScalarKey, Tensor> eldest) {
            return size() > 1024;
        }
    };
    private long uploads, uploadedBytes;

    /** Copies of at most this many bytes per driver call (MemorySegment.asByteBuffer holds below 2 GiB). */
    private static final long CHUNK = 1L << 30;

    CudaTensors(CudaDevice device) {
        this.device = device;
    }

    CudaDevice device() {
        return device;
    }

    // ------------------------------------------------------------------ allocation

    /** A new contiguous tensor on this device; contents undefined (every caller writes all of it). */
    Tensor empty(DType dtype, int... shape) {
        return Tensor.of(new CudaStorage(device, dtype, Shape.numel(shape)), shape);
    }

    Tensor zeros(DType dtype, int... shape) {
        Tensor t = empty(dtype, shape);
        long bytes = (long) t.numel() * dtype.byteSize();
        if (bytes > 0) device.driver().zero(address(t), bytes);
        return t;
    }

    // ------------------------------------------------------------------ addresses and codes

    static CudaStorage storage(Tensor t) {
        return (CudaStorage) t.storage();
    }

    /** The device address of the view's first element. */
    static long address(Tensor t) {
        return storage(t).addressOf(t.offset());
    }

    /** The kernels' dtype code (DTypeCode in crs4j.cuh: the DType ordinal). */
    static int code(DType t) {
        if (t == DType.Q8_0) throw new IllegalArgumentException("Q8_0 tensors cannot be used on CUDA");
        return t.ordinal();
    }

    /** The compute domain code of the element-wise kernels: 0 = F32, 1 = F64, 2 = I64. */
    static int domainCode(DType domain) {
        return switch (domain) {
            case F32 -> 0;
            case F64 -> 1;
            case I64 -> 2;
            default -> throw new IllegalArgumentException("not a compute domain: " + domain);
        };
    }

    /** The array domain a dtype computes in (the CPU backend's Elementwise.domain). */
    static DType domain(DType t) {
        return switch (t) {
            case F64 -> DType.F64;
            case F32, BF16, F16, Q8_0 -> DType.F32;
            default -> DType.I64;
        };
    }

    // ------------------------------------------------------------------ moving between devices

    /**
     * An op's operand on this device: itself, or uploaded from the CPU (or another GPU, through the host). Operands are
     * only read, so uploads of constants and of small tensors may be shared (see {@link #recent}); a tensor the caller
     * owns and may write comes from {@link #upload} instead.
     */
    Tensor on(Tensor t) {
        if (t == null) return null;
        Device d = t.device();
        if (d.equals(device.device())) return t;
        if (d.kind() == Device.Kind.CUDA) return upload(t.toDevice(Device.CPU), true);
        return upload(t, true);
    }

    /** A fresh copy of a CPU tensor on this device (toDevice), keeping its strides. */
    Tensor upload(Tensor t) {
        return upload(t, false);
    }

    /** Uploads a CPU tensor, keeping its strides (only the storage span the view covers is copied). */
    private Tensor upload(Tensor t, boolean shared) {
        if (t.dtype() == DType.Q8_0) t = t.to(DType.F32); // dequantized: Q8_0 is a CPU format
        if (t.dim() == 0 && shared) return scalar(t);
        long[] span = span(t);
        int elements = (int) (span[1] - span[0]);
        CpuStorage s = (CpuStorage) t.storage();
        long es = t.dtype().byteSize();
        MemorySegment bytes = s.segment().asSlice(span[0] * es, elements * es);
        boolean small = shared && elements * es <= RECENT_MAX_BYTES;
        Tensor dst = small ? recent(s, span[0], bytes) : null;
        if (dst == null) {
            dst = empty(t.dtype(), elements);
            copyToDevice(bytes, address(dst), elements * es);
            synchronized (this) {
                uploads++;
                uploadedBytes += elements * es;
                if (small) recent.put(s, new Recent(span[0], copyOf(bytes), dst));
            }
        }
        return new Tensor(dst.storage(), t.shape(), t.strides(), (int) (t.offset() - span[0]));
    }

    /**
     * Small CPU tensors uploaded lately, by storage, with the bytes they held: the same rotary angles or mask reach
     * every layer of a model within one step, and are uploaded once instead of once per layer. An entry is used only
     * while the storage holds exactly the bytes that were uploaded (compared on every use), so a CPU tensor written
     * to since is uploaded afresh. Entries go with their storage (weak keys).
     */
    private record Recent(long start, MemorySegment bytes, Tensor device) {}

    static final long RECENT_MAX_BYTES = 64 << 10;
    private final Map<CpuStorage, Recent> recent = new java.util.WeakHashMap<>();

    private synchronized Tensor recent(CpuStorage s, long start, MemorySegment bytes) {
        Recent r = recent.get(s);
        if (r == null || r.start() != start || r.bytes().byteSize() != bytes.byteSize() || r.bytes().mismatch(bytes) != -1) return null;
        return r.device();
    }

    private static MemorySegment copyOf(MemorySegment bytes) {
        MemorySegment copy = MemorySegment.ofArray(new byte[(int) bytes.byteSize()]);
        copy.copyFrom(bytes);
        return copy;
    }

    private Tensor scalar(Tensor t) {
        CpuStorage s = (CpuStorage) t.storage();
        ScalarKey key = new ScalarKey(t.dtype(), t.dtype() == DType.I64 ? s.getLong(t.offset())
                : Double.doubleToRawLongBits(s.getDouble(t.offset())));
        synchronized (this) {
            Tensor cached = scalars.get(key);
            if (cached != null) return cached;
        }
        Tensor dst = empty(t.dtype());
        long es = t.dtype().byteSize();
        copyToDevice(s.segment().asSlice(t.offset() * es, es), address(dst), es);
        synchronized (this) {
            scalars.put(key, dst);
        }
        return dst;
    }

    /** [lowest, highest + 1) element index of the storage that the view reads. */
    static long[] span(Tensor t) {
        if (t.numel() == 0) return new long[] {t.offset(), t.offset()};
        long lo = t.offset(), hi = t.offset();
        int[] shape = t.shape(), strides = t.strides();
        for (int i = 0; i < shape.length; i++) {
            long extent = (long) (shape[i] - 1) * strides[i];
            if (extent < 0) lo += extent;
            else hi += extent;
        }
        return new long[] {lo, hi + 1};
    }

    /** A contiguous CPU copy of a tensor of this device (same dtype). */
    Tensor download(Tensor t) {
        Tensor c = t.isContiguous() ? t : contiguous(t);
        long bytes = (long) c.numel() * c.dtype().byteSize();
        CpuStorage out = CpuStorage.allocate(c.dtype(), c.numel());
        if (bytes > 0) copyToHost(address(c), out.segment(), bytes);
        return Tensor.of(out, t.shape());
    }

    private void copyToDevice(MemorySegment src, long dst, long bytes) {
        for (long o = 0; o < bytes; o += CHUNK) {
            long n = Math.min(CHUNK, bytes - o);
            device.driver().copyToDevice(src.asSlice(o, n), dst + o, n);
        }
    }

    private void copyToHost(long src, MemorySegment dst, long bytes) {
        for (long o = 0; o < bytes; o += CHUNK) {
            long n = Math.min(CHUNK, bytes - o);
            device.driver().copyToHost(src + o, dst.asSlice(o, n), n);
        }
    }

    synchronized long uploads() {
        return uploads;
    }

    synchronized long uploadedBytes() {
        return uploadedBytes;
    }

    // ------------------------------------------------------------------ copies on the device

    /** dst (a view of this device) = src broadcast and converted. */
    void copy(Tensor src, Tensor dst) {
        int[] shape = dst.shape();
        Tensor s = src.expand(shape);
        if (dst.numel() == 0) return;
        if (s.dtype() == dst.dtype() && s.isContiguous() && dst.isContiguous() && src.numel() == dst.numel()) {
            device.driver().copyOnDevice(address(s), address(dst), (long) dst.numel() * dst.dtype().byteSize());
            return;
        }
        Layout l = Layout.of(shape, dst.strides(), s.strides());
        device.launch1d("elementwise", "copy_strided", dst.numel(), (long) dst.numel(), l.toInts(), address(dst),
                code(dst.dtype()), address(s), code(s.dtype()));
    }

    /** A contiguous copy (same dtype). */
    Tensor contiguous(Tensor t) {
        Tensor out = empty(t.dtype(), t.shape());
        copy(t, out);
        return out;
    }

    /** {@code t} itself when contiguous and of {@code dtype}, else a contiguous converted copy. */
    Tensor contiguous(Tensor t, DType dtype) {
        if (t.dtype() == dtype && t.isContiguous()) return t;
        Tensor out = empty(dtype, t.shape());
        copy(t, out);
        return out;
    }

    /** Strides of a contiguous tensor of this shape. */
    static int[] contiguousStrides(int[] shape) {
        return Shape.contiguousStrides(shape);
    }

    static String shape(Tensor t) {
        return Arrays.toString(t.shape());
    }
}

package org.crs4j.tensor.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.crs4j.tensor.DType;
import org.crs4j.tensor.ReduceOp;
import org.crs4j.tensor.Tensor;

/**
 * Run by {@link KernelBoxingTest} in a JVM where C2 may inline none of crs4j's own methods: warms each kernel up
 * until C2 has compiled it, then prints {@code name bytes limit} per kernel, the bytes one call allocates on the
 * calling thread and the most it may allocate without boxing a vector.
 *
 * <p>A vector accumulator that reaches a call C2 does not inline is boxed, and because it is carried around a loop,
 * C2 materialises the box on every iteration: the kernel then allocates about one object per vector of input (tens
 * of bytes per 8-16 elements) and runs several times slower. Whether C2 inlines a helper depends on its bytecode size,
 * its call counts and whether it was compiled on its own first, which vary between machines (AVX-512 code is
 * larger) and runs; here none is inlined, the worst case, made deterministic.
 *
 * <p>Not covered: the element-wise helpers that take and return one vector per call ({@code VectorMath.exp},
 * {@code unary}, {@code binary}); when C2 does not inline them, each call boxes its operands (a row softmax then
 * allocates about 16 bytes per element). They are inlined under the default JIT settings on the machines measured.
 */
public final class BoxingProbe {
    private BoxingProbe() {}

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int rows = 513, cols = 1024; // 4-row groups and a single-row tail; 128 vectors of 8 (64 of 16) per row
        SplittableRandom rnd = new SplittableRandom(7);
        float[] x = random(rnd, cols), y = new float[rows];
        float[] longRow = random(rnd, rows * cols);
        Map<String, Runnable> kernels = new LinkedHashMap<>();
        try (Arena arena = Arena.ofShared()) {
            for (DType dt : new DType[] {DType.F32, DType.BF16, DType.F16}) {
                MatrixOperand w = MatrixOperand.rowMajor(segment(arena, dt, rnd, rows * cols), 0, rows, cols, cols);
                kernels.put("matvec-native-" + dt, () -> Matvec.matvec(w, x, y, false));
            }
            CpuStorage heap = CpuStorage.allocate(DType.F32, rows * cols);
            for (int i = 0; i < rows * cols; i++) heap.setFloat(i, longRow[i]);
            MatrixOperand wh = MatrixOperand.rowMajor(heap, 0, rows, cols, cols);
            kernels.put("matvec-heap-F32", () -> Matvec.matvec(wh, x, y, false));
            MatrixOperand wq = MatrixOperand.rowMajor((CpuStorage) Tensor.of(longRow, rows, cols).to(DType.Q8_0).storage(),
                    0, rows, cols, cols);
            kernels.put("matvec-Q8_0", () -> Matvec.matvec(wq, x, y, false));
            MatrixOperand wt = MatrixOperand.colMajor(heap, 0, cols, rows, cols);
            float[] xt = random(rnd, rows), yt = new float[cols];
            kernels.put("matvec-column-major-F32", () -> Matvec.matvec(wt, xt, yt, false));
            kernels.put("row-sum", () -> Reductions.rowF32(ReduceOp.SUM, longRow, 0, longRow.length));
            kernels.put("row-squared-deviations", () -> RowKernels.squaredDeviations(longRow, 0, longRow.length, 0.5f));
            Tensor q = Tensor.of(random(rnd, 4 * 128), 1, 4, 1, 128), k = Tensor.of(random(rnd, 4 * 1024 * 128), 1, 4, 1024, 128);
            kernels.put("attention-streamed", () -> q.attention(k, k, null, 0.125));

            for (Map.Entry<String, Runnable> e : kernels.entrySet()) {
                Runnable kernel = e.getValue();
                for (int i = 0; i < 300; i++) kernel.run(); // -Xbatch: compiled by C2 when this returns
                long before = THREADS.getCurrentThreadAllocatedBytes();
                kernel.run();
                long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
                // Outputs, a regrouped copy of x (BF16) and small objects are allowed; boxing costs a vector object per
                // loop iteration: at least (rows * cols / lanes) * 16 bytes, 16 times this limit.
                long limit = 8L * Math.max(rows, cols) + (long) rows * cols * 16 / FloatRuns.F.length() / 16;
                if (e.getKey().equals("attention-streamed")) limit += 4L * 4 * 1024; // the output and score row
                System.out.println(e.getKey() + " " + bytes + " " + limit);
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
        return a;
    }

    private static CpuStorage segment(Arena arena, DType dt, SplittableRandom rnd, int n) {
        MemorySegment seg = arena.allocate((long) n * dt.byteSize(), 64);
        for (int i = 0; i < n; i++) {
            float v = (float) (rnd.nextDouble() * 2 - 1);
            switch (dt) {
                case F32 -> seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                case BF16 -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Half.floatToBf16(v));
                default -> seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
            }
        }
        return CpuStorage.wrap(dt, seg, arena);
    }
}
